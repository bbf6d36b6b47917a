#include <gtest/gtest.h>
TEST(PostgresPlaceholder, Builds) {}
