// Operator accounts of the console: a name is taken once and for all, a reset enables the
// account again, a disabled account is reported as such, and every write survives a reopen.
#include "tests/store/store_fixture.hpp"

namespace opcat::store::testing {
namespace {

OperatorAccount account(const std::string& name, const std::string& role) {
  return OperatorAccount{.name = name,
                         .display_name = "Display " + name,
                         .role = role,
                         .password_hash = "$scrypt$ln=15,r=8,p=1$c2FsdA$aGFzaA",
                         .created_at = at_second(1'714'000'000) + std::chrono::milliseconds(250),
                         .created_by = "cli",
                         .disabled_at = std::nullopt};
}

TEST_F(StoreTest, CreatesFindsAndListsOperatorAccountsByName) {
  EXPECT_TRUE(store_->create_operator_account(account("zoe", "admin")));
  EXPECT_TRUE(store_->create_operator_account(account("adam", "viewer")));

  const auto zoe = store_->find_operator_account("zoe");
  ASSERT_TRUE(zoe.has_value());
  EXPECT_EQ(zoe->name, "zoe");
  EXPECT_EQ(zoe->display_name, "Display zoe");
  EXPECT_EQ(zoe->role, "admin");
  EXPECT_EQ(zoe->password_hash, "$scrypt$ln=15,r=8,p=1$c2FsdA$aGFzaA");
  EXPECT_EQ(zoe->created_at, at_second(1'714'000'000) + std::chrono::milliseconds(250));
  EXPECT_EQ(zoe->created_by, "cli");
  EXPECT_FALSE(zoe->disabled_at.has_value());
  EXPECT_FALSE(store_->find_operator_account("nobody").has_value());

  const auto all = store_->list_operator_accounts();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].name, "adam");
  EXPECT_EQ(all[1].name, "zoe");
}

TEST_F(StoreTest, ANameIsTakenEvenByADisabledAccount) {
  ASSERT_TRUE(store_->create_operator_account(account("ana", "operator")));
  auto again = account("ana", "admin");
  again.password_hash = "$scrypt$another";
  EXPECT_FALSE(store_->create_operator_account(again));
  EXPECT_EQ(store_->find_operator_account("ana")->role, "operator");
  EXPECT_EQ(store_->find_operator_account("ana")->password_hash,
            "$scrypt$ln=15,r=8,p=1$c2FsdA$aGFzaA");

  ASSERT_TRUE(store_->disable_operator_account("ana", at_second(1'714'100'000)));
  EXPECT_FALSE(store_->create_operator_account(again));
  EXPECT_EQ(count_rows(dir_.path(), "operator_accounts"), 1);
}

TEST_F(StoreTest, ReplaceResetsAnAccountAndEnablesItAgain) {
  EXPECT_FALSE(store_->replace_operator_account(account("ana", "admin")));
  EXPECT_FALSE(store_->find_operator_account("ana").has_value());

  ASSERT_TRUE(store_->create_operator_account(account("ana", "viewer")));
  ASSERT_TRUE(store_->disable_operator_account("ana", at_second(1'714'100'000)));
  auto reset = account("ana", "admin");
  reset.display_name = "Ana B.";
  reset.password_hash = "$scrypt$new";
  reset.created_at = at_second(1'714'200'000);
  reset.created_by = "operator:zoe";
  EXPECT_TRUE(store_->replace_operator_account(reset));

  const auto ana = store_->find_operator_account("ana");
  ASSERT_TRUE(ana.has_value());
  EXPECT_EQ(ana->display_name, "Ana B.");
  EXPECT_EQ(ana->role, "admin");
  EXPECT_EQ(ana->password_hash, "$scrypt$new");
  EXPECT_FALSE(ana->disabled_at.has_value());
  // Who made the account, and when, does not change with a reset.
  EXPECT_EQ(ana->created_at, at_second(1'714'000'000) + std::chrono::milliseconds(250));
  EXPECT_EQ(ana->created_by, "cli");
}

TEST_F(StoreTest, ADisabledAccountIsReportedWithItsDisabledAt) {
  ASSERT_TRUE(store_->create_operator_account(account("ana", "operator")));
  ASSERT_TRUE(store_->create_operator_account(account("ben", "operator")));
  EXPECT_TRUE(store_->disable_operator_account("ana", at_second(1'714'100'000)));
  EXPECT_FALSE(store_->disable_operator_account("ana", at_second(1'714'200'000)));  // already
  EXPECT_FALSE(store_->disable_operator_account("nobody", at_second(1'714'100'000)));

  EXPECT_EQ(store_->find_operator_account("ana")->disabled_at, at_second(1'714'100'000));
  const auto all = store_->list_operator_accounts();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].disabled_at, at_second(1'714'100'000));
  EXPECT_FALSE(all[1].disabled_at.has_value());
}

TEST_F(StoreTest, AnUnknownRoleIsRefusedAndNothingIsWritten) {
  EXPECT_THROW(store_->create_operator_account(account("eve", "root")), StoreError);
  EXPECT_FALSE(store_->find_operator_account("eve").has_value());
  ASSERT_TRUE(store_->create_operator_account(account("eve", "viewer")));
  EXPECT_THROW(store_->replace_operator_account(account("eve", "root")), StoreError);
  EXPECT_EQ(store_->find_operator_account("eve")->role, "viewer");
}

TEST_F(StoreTest, OperatorAccountsSurviveAReopen) {
  ASSERT_TRUE(store_->create_operator_account(account("ana", "admin")));
  ASSERT_TRUE(store_->disable_operator_account("ana", at_second(1'714'100'000)));
  store_.reset();
  store_ = std::make_unique<sqlite::SqliteStore>(dir_.path());
  const auto ana = store_->find_operator_account("ana");
  ASSERT_TRUE(ana.has_value());
  EXPECT_EQ(ana->role, "admin");
  EXPECT_EQ(ana->disabled_at, at_second(1'714'100'000));
}

}  // namespace
}  // namespace opcat::store::testing
