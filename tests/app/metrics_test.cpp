// The pieces of GET /metrics that are not read from the store: the latency histogram's buckets
// and the text format's label escaping (the end-to-end scrape is in consolidation_flow_test).
#include <gtest/gtest.h>

#include "gateway/app/metrics.hpp"

namespace opcat::app {
namespace {

TEST(MetricsTest, TheLatencyHistogramIsCumulativeWithAnInfiniteLastBucket) {
  net::LatencyHistogram histogram;
  for (const double seconds : {0.001, 0.005, 0.2, 3.0, 500.0}) histogram.record(seconds);
  const auto cumulative = histogram.cumulative();
  EXPECT_EQ(cumulative[0], 2u);   // <= 0.005: 0.001 and 0.005 (bounds are inclusive)
  EXPECT_EQ(cumulative[5], 3u);   // <= 0.25
  EXPECT_EQ(cumulative[9], 4u);   // <= 5
  EXPECT_EQ(cumulative[12], 4u);  // <= 120
  EXPECT_EQ(cumulative.back(), 5u);  // +Inf: every request
  EXPECT_EQ(histogram.count(), 5u);
  EXPECT_NEAR(histogram.sum_seconds(), 503.206, 1e-3);
}

TEST(MetricsTest, LabelValuesAreEscapedAsTheTextFormatWants) {
  EXPECT_EQ(escape_label(R"(a "quoted" \ value)"), R"(a \"quoted\" \\ value)");
  EXPECT_EQ(escape_label("two\nlines"), "two\\nlines");
}

}  // namespace
}  // namespace opcat::app
