// TAPE's "iupac" protein vocabulary (tape/tokenizers.py, IUPAC_VOCAB): <pad> 0, <mask> 1, <cls> 2,
// <sep> 3, <unk> 4, then the 25 letters A B C D E F G H I K L M N O P Q R S T U V W X Y Z = 5..29
// (every capital letter except J). A protein of L residues becomes L + 2 tokens:
// <cls> residues <sep>, as TAPETokenizer.encode makes them.
//
// Letters outside the vocabulary: TAPE's convert_token_to_id raises KeyError("Unrecognized
// token"), it never maps them to <unk> (which no TAPE data path produces). fpt does the same: such
// a letter is an error naming the record, the letter and its position, not a silent <unk>.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace fpt::tasks {

inline constexpr int64_t kIupacVocabularySize = 30;
inline constexpr int16_t kIupacPad            = 0;
inline constexpr int16_t kIupacMask           = 1;
inline constexpr int16_t kIupacCls            = 2;
inline constexpr int16_t kIupacSep            = 3;
inline constexpr int16_t kIupacUnk            = 4;

// The id of one amino-acid letter, or -1 when the letter is not in the vocabulary.
int16_t iupac_letter_id(char letter);

// Appends <cls>, one id per residue, <sep> to `tokens`. `context` names the record in errors.
void append_iupac_tokens(std::string_view primary, const std::string& context,
                         std::vector<int16_t>& tokens);

}  // namespace fpt::tasks
