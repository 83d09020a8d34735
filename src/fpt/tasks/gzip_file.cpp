#include "fpt/tasks/gzip_file.h"

#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

#include "fpt/core/error.h"
#include "fpt/io/sha256.h"

namespace fpt::tasks {

namespace fs = std::filesystem;

bool is_gzip(std::string_view bytes) {
  return bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1f &&
         static_cast<unsigned char>(bytes[1]) == 0x8b;
}

std::string gunzip(std::string_view bytes, const std::string& name) {
  z_stream stream{};
  // 16 + MAX_WBITS: expect a gzip header and trailer (CRC-32 and length are checked by zlib).
  if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK)
    fail("{}: cannot initialise zlib to inflate the file", name);
  std::string output;
  stream.next_in  = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  stream.avail_in = static_cast<uInt>(bytes.size());
  if (bytes.size() != stream.avail_in) {
    inflateEnd(&stream);
    fail("{}: gzip file of {} bytes is too large to read", name, bytes.size());
  }
  char buffer[1 << 16];
  while (true) {
    stream.next_out  = reinterpret_cast<Bytef*>(buffer);
    stream.avail_out = sizeof(buffer);
    const int status = inflate(&stream, Z_NO_FLUSH);
    output.append(buffer, sizeof(buffer) - stream.avail_out);
    if (output.size() > kMaxInflatedBytes) {
      inflateEnd(&stream);
      fail("{}: inflates to more than {} bytes; not an image release file", name,
           kMaxInflatedBytes);
    }
    if (status == Z_STREAM_END) {
      // Another gzip member may follow (gzip allows concatenation); anything else is corruption.
      if (stream.avail_in == 0) break;
      const std::string_view rest(reinterpret_cast<const char*>(stream.next_in), stream.avail_in);
      if (!is_gzip(rest)) {
        inflateEnd(&stream);
        fail("{}: {} bytes of garbage after the end of the gzip stream; the file is corrupt", name,
             rest.size());
      }
      inflateReset(&stream);
      continue;
    }
    if (status == Z_OK) continue;
    if (status == Z_BUF_ERROR && stream.avail_in == 0) {
      inflateEnd(&stream);
      fail(
          "{}: the gzip stream ends early (truncated download?); delete the file and fetch it "
          "again",
          name);
    }
    const std::string message = stream.msg != nullptr ? stream.msg : zError(status);
    inflateEnd(&stream);
    fail("{}: corrupt gzip data ({}); delete the file and fetch it again", name, message);
  }
  inflateEnd(&stream);
  return output;
}

ReleaseFile read_release_file(const fs::path& path) {
  std::error_code error;
  if (!fs::is_regular_file(path, error)) fail("{}: no such file", path.string());
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("{}: cannot open: {}", path.string(), std::strerror(errno));
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) fail("{}: read error: {}", path.string(), std::strerror(errno));
  ReleaseFile file;
  file.sha256   = io::sha256_bytes(bytes);
  file.contents = is_gzip(bytes) ? gunzip(bytes, path.string()) : std::move(bytes);
  return file;
}

}  // namespace fpt::tasks
