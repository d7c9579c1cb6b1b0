// Atomic file writes: the new content or the old, never part of one, and no temporary left
// behind by a write that ends, well or not.
#include "ulpcheck/support/atomic_file.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>

namespace ulpcheck {
namespace {

namespace fs = std::filesystem;

class AtomicFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "ulpcheck-atomic-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir = pattern;
  }
  void TearDown() override { fs::remove_all(dir); }

  std::string file(const std::string& name) const { return (fs::path(dir) / name).string(); }
  std::set<std::string> names() const {
    std::set<std::string> out;
    for (const auto& e : fs::directory_iterator(dir)) out.insert(e.path().filename().string());
    return out;
  }
  static std::string read(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  std::string dir;
};

TEST_F(AtomicFileTest, WritesANewFileAndReplacesAnOldOneLeavingNoTemporary) {
  write_file_atomically(file("out.txt"), "first\n");
  EXPECT_EQ(read(file("out.txt")), "first\n");
  write_file_atomically(file("out.txt"), std::string("second\0with a NUL\n", 18));
  EXPECT_EQ(read(file("out.txt")), std::string("second\0with a NUL\n", 18));
  EXPECT_EQ(names(), std::set<std::string>{"out.txt"});
}

TEST_F(AtomicFileTest, TheTemporaryIsBesideTheFileUnderANameOfItsOwn) {
  AtomicFile a(file("out.txt")), b(file("out.txt"));
  EXPECT_NE(a.temp_path(), b.temp_path());
  for (const AtomicFile* f : {&a, &b}) {
    EXPECT_EQ(fs::path(f->temp_path()).parent_path(), fs::path(dir));
    EXPECT_EQ(f->temp_path().rfind(file("out.txt.tmp."), 0), 0u) << f->temp_path();
    EXPECT_TRUE(fs::exists(f->temp_path()));
  }
  EXPECT_FALSE(fs::exists(file("out.txt")));
}

TEST_F(AtomicFileTest, AWriteThatIsNotCommittedLeavesTheOldFileAndRemovesTheTemporary) {
  write_file_atomically(file("out.txt"), "old\n");
  {
    AtomicFile f(file("out.txt"));
    f.write("new, but never committed\n");
  }
  EXPECT_EQ(read(file("out.txt")), "old\n");
  EXPECT_EQ(names(), std::set<std::string>{"out.txt"});
}

TEST_F(AtomicFileTest, AWriterMayFillTheTemporaryByName) {
  AtomicFile f(file("data.bin"));
  std::ofstream(f.temp_path(), std::ios::binary | std::ios::trunc) << "written by name";
  f.commit();
  EXPECT_EQ(read(file("data.bin")), "written by name");
  EXPECT_EQ(names(), std::set<std::string>{"data.bin"});
}

TEST_F(AtomicFileTest, ADeviceTakesTheTextAndStaysADevice) {
  // Renaming a temporary over /dev/null would put a regular file in its place.
  write_file_atomically("/dev/null", "report\n");
  EXPECT_TRUE(std::filesystem::is_character_file("/dev/null"));
  EXPECT_THROW(AtomicFile("/dev/null"), std::runtime_error);
  EXPECT_TRUE(std::filesystem::is_character_file("/dev/null"));
}

TEST_F(AtomicFileTest, ASymbolicLinkStaysAndItsFileGetsTheText) {
  const std::string target = file("target.txt"), link = file("link.txt");
  write_file_atomically(target, "old");
  std::filesystem::create_symlink(target, link);
  write_file_atomically(link, "new");
  EXPECT_TRUE(std::filesystem::is_symlink(link));
  EXPECT_EQ(read(target), "new");
  std::filesystem::create_symlink(file("nowhere.txt"), file("dangling.txt"));
  try {
    write_file_atomically(file("dangling.txt"), "x");
    FAIL() << "a dangling link was written";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("does not exist"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(std::filesystem::exists(file("nowhere.txt")));
}

TEST_F(AtomicFileTest, AMissingDirectoryNamesThePathAndTheReason) {
  const std::string path = file("no-such-dir/out.txt");
  try {
    write_file_atomically(path, "x");
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.rfind(path + ": ", 0), 0u) << what;
    EXPECT_NE(what.find("No such file or directory"), std::string::npos) << what;
  }
}

TEST_F(AtomicFileTest, AFailedRenameRemovesTheTemporaryAndNamesThePath) {
  // A directory in the file's place: the rename fails after the temporary was written.
  fs::create_directory(file("taken"));
  fs::create_directory(file("taken/inside"));
  try {
    write_file_atomically(file("taken"), "x");
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()).rfind(file("taken") + ": cannot rename", 0), 0u) << e.what();
  }
  EXPECT_EQ(names(), std::set<std::string>{"taken"});
}

}  // namespace
}  // namespace ulpcheck
