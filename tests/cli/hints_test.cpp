// Every hint and remedy joule prints, and every command line the docs show,
// names options that exist: the text is collected from the sources' string
// literals and from docs/*.md and README.md, and each `--option` is looked up
// in the `--help` of the subcommand the text names (`joule run ... --gpu`),
// or, where no subcommand is named, of any subcommand.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "support/subprocess.hpp"

using namespace joule::testing;

namespace {

const std::filesystem::path kRoot = std::filesystem::path(JOULE_FIXTURES_DIR) / "../..";

// Options of other programs that joule's hints and docs quote.
const std::set<std::string> kForeign = {
    "--privileged",         // docker
    "--cap-add",            // docker
    "--cap-drop",           // docker
    "--pid",                // docker
    "--device",             // docker
    "--user",               // docker, systemd-run
    "--scope",              // systemd-run
    "--preset",             // cmake
    "--build",              // cmake
    "--target",             // cmake
    "--test-dir",           // ctest
    "--install",            // cmake
    "--prefix",             // cmake --install
    "--nproc-per-node",     // torchrun
    "--nproc_per_node",     // torchrun
    "--nnodes",             // torchrun
    "--standalone",         // torchrun
    "--rdzv-endpoint",      // torchrun
    "--rdzv_endpoint",      // torchrun
    "--rdzv-backend",       // torchrun
    "--rdzv_backend",       // torchrun
    "--ntasks",             // srun
    "--headless",           // chromium
    "--screenshot",         // chromium
    "--no-sandbox",         // chromium
    "--config.file",        // prometheus
    "--web.config.file",    // prometheus
    "--query-gpu",          // nvidia-smi
    "--format",             // nvidia-smi
    "--showpower",          // rocm-smi
    "--fix",                // clang-tidy
    "--output-on-failure",  // ctest
    "--user-data-dir",      // chromium
    "--check",              // promtool
    "--fail-on",            // lintian (docs/install.md)
    "--benchmark",          // Google Benchmark's --benchmark_filter, --benchmark_min_time...
    "--requests",           // examples/cpp/inference_server
    "--batch",              // examples/cpp/inference_server
    "--samples",            // examples/python/train_mnist.py
    "--epochs",             // examples/python/train_mnist.py; `python train.py --epochs`
    "--help",               // every command
    "--version",            // joule itself, and every command
};

// `joule bench` runs joule-bench, built only with LibTorch (JOULE_BUILD_BENCH).
std::filesystem::path bench_binary() {
  return std::filesystem::path(JOULE_BINARY_DIR) / "joule-bench";
}
bool bench_built() {
  return std::filesystem::exists(bench_binary());
}

std::string read(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The pieces of text a person reads: each string literal of a source file
// (adjacent literals joined, as the compiler does), each line of a doc.
std::vector<std::pair<std::string, std::string>> texts() {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(kRoot / "src")) {
    const auto ext = entry.path().extension();
    if (ext != ".cpp" && ext != ".hpp") continue;
    // Chromium's own flags; joule-bench's options, checked only where it is built.
    if (entry.path().filename() == "chromium.cpp") continue;
    if (!bench_built() && entry.path().string().find("/src/bench/") != std::string::npos) continue;
    const std::string code = read(entry.path());
    std::string joined;
    // Adjacent literals form one message; join them before looking.
    const std::regex piece(R"("((?:[^"\\\n]|\\.)*)\")");
    std::size_t last_end = std::string::npos;
    for (auto it = std::sregex_iterator(code.begin(), code.end(), piece);
         it != std::sregex_iterator(); ++it) {
      const auto pos = static_cast<std::size_t>(it->position());
      const bool adjacent =
          last_end != std::string::npos && code.find_first_not_of(" \t\n", last_end) == pos;
      if (!adjacent && !joined.empty()) {
        out.push_back({entry.path().filename().string(), joined});
        joined.clear();
      }
      joined += (*it)[1].str();
      last_end = pos + static_cast<std::size_t>(it->length());
    }
    if (!joined.empty()) out.push_back({entry.path().filename().string(), joined});
  }
  std::vector<std::filesystem::path> docs = {kRoot / "README.md"};
  for (const auto& entry : std::filesystem::directory_iterator(kRoot / "docs")) {
    if (entry.path().extension() == ".md") docs.push_back(entry.path());
  }
  for (const auto& doc : docs) {
    if (!bench_built() && doc.filename() == "bench.md") continue;
    std::istringstream lines(read(doc));
    for (std::string line; std::getline(lines, line);) {
      out.push_back({doc.filename().string(), line});
    }
  }
  return out;
}

// `joule SUB --help` for every subcommand (and theirs), by path "ledger prune".
std::map<std::string, std::string> helps() {
  std::map<std::string, std::string> out;
  std::vector<std::string> pending = {""};
  const std::regex sub_line(R"(^  ([a-z][a-z-]*)\s)");
  while (!pending.empty()) {
    const std::string path = pending.back();
    pending.pop_back();
    std::vector<std::string> args;
    std::istringstream words(path);
    for (std::string w; words >> w;) args.push_back(w);
    args.push_back("--help");
    const std::string help = path == "bench" && bench_built()
                                 ? run_command({bench_binary().string(), "--help"}).out
                                 : run_joule(args).out;
    out[path] = help;
    const auto subs = help.find("Subcommands:");
    if (subs == std::string::npos) continue;
    std::istringstream lines(help.substr(subs));
    for (std::string line; std::getline(lines, line);) {
      std::smatch m;
      if (std::regex_search(line, m, sub_line)) {
        pending.push_back(path.empty() ? m[1].str() : path + " " + m[1].str());
      }
    }
  }
  return out;
}

bool lists(const std::string& help, const std::string& option) {
  // CLI11 lists "--opt TEXT", "-o,--opt", "--opt=VALUE" and a negated flag's "--no-opt{false}".
  const std::regex listed("(^|[\\s,])" + option + "([\\s,={]|$)");
  return std::regex_search(help, listed);
}

}  // namespace

TEST(Hints, EveryOptionAHintOrDocNamesExists) {
  const auto help = helps();
  ASSERT_GT(help.size(), 10u) << "subcommands not found in joule --help";
  std::string all_help;
  for (const auto& [path, text] : help) all_help += text;

  // A subcommand named, an option, or the "--" after which the words are
  // the measured command's own (`joule run -- python train.py --epochs 10`).
  const std::regex mention(
      R"(joule ((?:[a-z][a-z-]*)(?: [a-z][a-z-]*)?)|(--[a-z][a-z0-9]*(?:-[a-z0-9]+)*)|( -- |\./\S+))");
  std::vector<std::string> missing;
  std::size_t checked = 0;
  for (const auto& [origin, text] : texts()) {
    std::string command;  // the subcommand the text last named
    bool after_dashes = false;
    for (auto it = std::sregex_iterator(text.begin(), text.end(), mention);
         it != std::sregex_iterator(); ++it) {
      if ((*it)[3].matched) {
        after_dashes = true;
        continue;
      }
      if ((*it)[1].matched) {
        // "joule ledger prune" or "joule run python": the longest known path.
        std::string words = (*it)[1].str();
        if (help.count(words)) {
          command = words;
        } else if (auto first = words.substr(0, words.find(' ')); help.count(first)) {
          command = first;
        }
        // Without joule-bench, `joule bench`'s options cannot be listed.
        after_dashes = command == "bench" && !bench_built();
        continue;
      }
      const std::string option = (*it)[2].str();
      if (after_dashes || kForeign.count(option)) continue;
      ++checked;
      const std::string& where = command.empty() ? all_help : help.at(command);
      if (!lists(where, option)) {
        missing.push_back(fmt::format("{}: {} {}  in: {}", origin,
                                      command.empty() ? "(any command)" : "joule " + command,
                                      option, text.substr(0, 160)));
      }
    }
  }
  EXPECT_GT(checked, 100u);
  std::string report;
  for (const auto& m : missing) report += m + "\n";
  EXPECT_TRUE(missing.empty()) << missing.size() << " hints name options that do not exist:\n"
                               << report;
}
