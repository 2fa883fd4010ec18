// The group committer on its own, with units of work made up for the test: a failing unit
// undoes only itself, a failed COMMIT fails its whole batch, and batches respect their limits.
#include "gateway/store/sqlite/group_committer.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <stdexcept>
#include <thread>

#include "tests/support/eventually.hpp"
#include "tests/support/test_pki.hpp"

namespace opcat::store::testing {
namespace {

using sqlite::BatchLimits;
using sqlite::Connection;
using sqlite::GroupCommitter;

class GroupCommitterTest : public ::testing::Test {
 protected:
  GroupCommitterTest() {
    // items.parent is checked only at COMMIT (deferred): a unit can break it and still have
    // its savepoint released, which is how a test makes the batch's COMMIT fail.
    connection_.exec(
        "CREATE TABLE items (name TEXT PRIMARY KEY,"
        " parent TEXT REFERENCES items (name) DEFERRABLE INITIALLY DEFERRED)");
  }

  static GroupCommitter::Unit insert(std::string name, std::optional<std::string> parent = {}) {
    return [name = std::move(name), parent = std::move(parent)](Connection& connection) {
      connection.prepare("INSERT INTO items (name, parent) VALUES (?1, ?2)")
          .bind(1, name)
          .bind_optional(2, parent)
          .run();
    };
  }

  std::vector<std::string> items() {
    Connection reader(dir_.path() / "test.sqlite3");
    auto statement = reader.prepare("SELECT name FROM items ORDER BY name");
    std::vector<std::string> names;
    while (statement.step()) names.push_back(statement.text(0));
    return names;
  }

  // Runs each unit on its own thread, all in batches formed only once every one is queued.
  // Returns what each unit's run() threw (nullptr if it returned).
  std::vector<std::exception_ptr> run_together(GroupCommitter& committer,
                                               const std::vector<GroupCommitter::Unit>& units,
                                               const std::vector<std::uint64_t>& bytes = {}) {
    std::vector<std::exception_ptr> errors(units.size());
    std::vector<std::thread> threads;
    {
      const auto pause = committer.pause();
      for (std::size_t i = 0; i < units.size(); ++i) {
        threads.emplace_back([&, i] {
          try {
            committer.run(bytes.empty() ? 0 : bytes[i], units[i]);
          } catch (...) {
            errors[i] = std::current_exception();
          }
        });
      }
      EXPECT_TRUE(opcat::testing::eventually([&] { return committer.queued() == units.size(); }));
    }
    for (auto& thread : threads) thread.join();
    return errors;
  }

  opcat::testing::TempDir dir_{"opcat-committer"};
  Connection connection_{dir_.path() / "test.sqlite3"};
};

TEST_F(GroupCommitterTest, ACallerAloneLeadsItsOwnBatch) {
  GroupCommitter committer(connection_, BatchLimits{});
  committer.run(0, insert("alone"));
  EXPECT_EQ(items(), std::vector<std::string>{"alone"});
  EXPECT_EQ(committer.transactions_committed(), 1u);
  EXPECT_EQ(committer.queued(), 0u);
}

TEST_F(GroupCommitterTest, AFailingUnitUndoesOnlyItself) {
  GroupCommitter committer(connection_, BatchLimits{});
  const GroupCommitter::Unit half_done = [](Connection& connection) {
    insert("b")(connection);
    throw std::runtime_error("the unit gave up");
  };
  const auto errors = run_together(committer, {insert("a"), half_done, insert("c")});

  EXPECT_EQ(errors[0], nullptr);
  ASSERT_NE(errors[1], nullptr);
  EXPECT_THROW(std::rethrow_exception(errors[1]), std::runtime_error);  // its own exception
  EXPECT_EQ(errors[2], nullptr);
  EXPECT_EQ(items(), (std::vector<std::string>{"a", "c"}));
  EXPECT_EQ(committer.transactions_committed(), 1u);
}

TEST_F(GroupCommitterTest, AFailedCommitFailsEveryUnitOfTheBatch) {
  GroupCommitter committer(connection_, BatchLimits{});
  const auto errors =
      run_together(committer, {insert("a"), insert("orphan", "nobody"), insert("c")});
  for (const auto& error : errors) {
    ASSERT_NE(error, nullptr);
    EXPECT_THROW(std::rethrow_exception(error), StoreError);
  }
  EXPECT_TRUE(items().empty());
  EXPECT_EQ(committer.transactions_committed(), 0u);

  committer.run(0, insert("after"));  // the next batch starts clean
  EXPECT_EQ(items(), std::vector<std::string>{"after"});
}

// As after an I/O error or a full disk, when SQLite rolls back the whole transaction by itself:
// the units before the failing one are gone too, so none of the batch may report success.
TEST_F(GroupCommitterTest, ATransactionSQLiteAbandonedFailsEveryUnitOfTheBatch) {
  GroupCommitter committer(connection_, BatchLimits{});
  const GroupCommitter::Unit abandoning = [](Connection& connection) {
    connection.exec("ROLLBACK");
    throw std::runtime_error("disk full");
  };
  const auto errors = run_together(committer, {insert("a"), abandoning, insert("c")});
  for (const auto& error : errors) {
    ASSERT_NE(error, nullptr);
    EXPECT_THROW(std::rethrow_exception(error), StoreError);
  }
  EXPECT_TRUE(items().empty());
  EXPECT_EQ(committer.transactions_committed(), 0u);
}

TEST_F(GroupCommitterTest, ABatchTakesAtMostItsUnitLimit) {
  GroupCommitter committer(connection_, BatchLimits{.units = 4, .bytes = 1 << 20});
  std::vector<GroupCommitter::Unit> units;
  for (int i = 0; i < 10; ++i) units.push_back(insert("item " + std::to_string(i)));
  const auto errors = run_together(committer, units);
  for (const auto& error : errors) EXPECT_EQ(error, nullptr);
  EXPECT_EQ(items().size(), 10u);
  EXPECT_EQ(committer.transactions_committed(), 3u);  // 4 + 4 + 2
}

TEST_F(GroupCommitterTest, ABatchTakesAtMostItsByteLimitButAlwaysOneUnit) {
  GroupCommitter committer(connection_, BatchLimits{.units = 64, .bytes = 100});
  // No two of these fit in 100 bytes together, whatever order they queue in; the one over the
  // limit on its own still gets a batch.
  const auto errors =
      run_together(committer, {insert("a"), insert("b"), insert("c")}, {60, 60, 500});
  for (const auto& error : errors) EXPECT_EQ(error, nullptr);
  EXPECT_EQ(items().size(), 3u);
  EXPECT_EQ(committer.transactions_committed(), 3u);
}

}  // namespace
}  // namespace opcat::store::testing
