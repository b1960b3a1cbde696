// Helpers shared by the TF importer's tests (tests/graph/tf): frozen graphs
// are written as GraphDef text in the tests and parsed here.
#ifndef GRAPHRT_TESTS_GRAPH_TF_TF_TEST_UTIL_H_
#define GRAPHRT_TESTS_GRAPH_TF_TF_TEST_UTIL_H_

#include <string>

#include "core/graph/tf/tf_import.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace graphrt::tf_test {

// The GraphDef written as text; a parse failure fails the calling test
// (naming the text) and gives the part that parsed.
inline tfproto::GraphDef Parse(const std::string& text) {
  tfproto::GraphDef def;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &def)) << text;
  return def;
}

}  // namespace graphrt::tf_test

#endif  // GRAPHRT_TESTS_GRAPH_TF_TF_TEST_UTIL_H_
