// Corpus replay for fuzz targets built without libFuzzer (g++): runs every file of the
// given folders (and files) through LLVMFuzzerTestOneInput once. A crash fails the test.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {
void run_file(std::filesystem::path const& p) {
  std::ifstream in(p, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
}
}  // namespace

int main(int argc, char** argv) {
  std::size_t count = 0;
  for (int i = 1; i < argc; ++i) {
    std::filesystem::path const root(argv[i]);
    if (std::filesystem::is_directory(root)) {
      for (auto const& e : std::filesystem::recursive_directory_iterator(root)) {
        if (e.is_regular_file()) {
          run_file(e.path());
          ++count;
        }
      }
    } else if (std::filesystem::is_regular_file(root)) {
      run_file(root);
      ++count;
    } else {
      std::cerr << "replay: no such corpus: " << root << '\n';
      return 2;
    }
  }
  // Also the empty input, which every parser must handle.
  LLVMFuzzerTestOneInput(nullptr, 0);
  std::cout << "replayed " << count << " inputs\n";
  if (count == 0) {
    std::cerr << "replay: the corpus is empty\n";
    return 1;
  }
  return 0;
}
