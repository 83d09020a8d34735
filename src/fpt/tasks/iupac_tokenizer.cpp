#include "fpt/tasks/iupac_tokenizer.h"

#include "fpt/core/error.h"

namespace fpt::tasks {

int16_t iupac_letter_id(char letter) {
  static constexpr std::string_view kLetters = "ABCDEFGHIKLMNOPQRSTUVWXYZ";  // ids 5..29
  const size_t                      position = kLetters.find(letter);
  if (letter == '\0' || position == std::string_view::npos) return -1;
  return static_cast<int16_t>(5 + position);
}

void append_iupac_tokens(std::string_view primary, const std::string& context,
                         std::vector<int16_t>& tokens) {
  tokens.push_back(kIupacCls);
  for (size_t i = 0; i < primary.size(); ++i) {
    const int16_t id = iupac_letter_id(primary[i]);
    if (id < 0) {
      const unsigned char letter = static_cast<unsigned char>(primary[i]);
      fail(
          "{}: residue {} of 'primary' is {} — not in TAPE's iupac vocabulary (capital letters "
          "A-Z except J; TAPE's own tokenizer rejects it too)",
          context, i + 1,
          letter >= 0x20 && letter < 0x7f ? fmt::format("'{}'", primary[i])
                                          : fmt::format("byte 0x{:02x}", letter));
    }
    tokens.push_back(id);
  }
  tokens.push_back(kIupacSep);
}

}  // namespace fpt::tasks
