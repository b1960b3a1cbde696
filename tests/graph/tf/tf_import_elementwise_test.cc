// TF import of the elementwise ops Keras models use (LeakyRelu with its
// alpha, Elu, Selu, Softplus, Softsign, Erf, Erfc, SquaredDifference, the
// comparisons, logic, SelectV2, Pow, FloorMod, Minimum, Abs, Floor, Ceil,
// Round, Sign): a frozen graph written as text, imported and run, each
// output against its formula.
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "core/executor/session.h"
#include "core/graph/tf/tf_import.h"
#include "gtest/gtest.h"
#include "tests/graph/tf/tf_test_util.h"

namespace graphrt {
namespace {

using tf_test::Parse;

std::string Placeholder(const std::string& name) {
  return "node { name: '" + name +
         "' op: 'Placeholder' attr { key: 'dtype' value { type: DT_FLOAT } } "
         "attr { key: 'shape' value { shape { dim { size: 6 } } } } }\n";
}

std::string Node(const std::string& name, const std::string& op,
                 const std::vector<std::string>& inputs, const std::string& extra = "") {
  std::string s = "node { name: '" + name + "' op: '" + op + "'";
  for (const std::string& in : inputs) s += " input: '" + in + "'";
  return s + " attr { key: 'T' value { type: DT_FLOAT } } " + extra + " }\n";
}

struct Expect {
  const char* node;
  std::function<double(double, double)> ref;  // of x and y; bools as 0 / 1
};

TEST(TfImportElementwiseTest, KerasActivationsAndComparisonsRun) {
  std::string text = Placeholder("x") + Placeholder("y");
  text += Node("leaky", "LeakyRelu", {"x"}, "attr { key: 'alpha' value { f: 0.125 } }");
  text += Node("leaky_default", "LeakyRelu", {"x"});
  for (const char* op : {"Elu", "Selu", "Softplus", "Softsign", "Erf", "Erfc", "Abs", "Floor",
                         "Ceil", "Round", "Sign"}) {
    text += Node(op, op, {"x"});
  }
  for (const char* op : {"SquaredDifference", "Minimum", "Pow", "FloorMod", "Less",
                         "GreaterEqual", "NotEqual"}) {
    text += Node(op, op, {"x", "y"});
  }
  text += Node("less", "Less", {"x", "y"});
  text += Node("select", "SelectV2", {"less", "x", "y"});
  text += "node { name: 'not' op: 'LogicalNot' input: 'less' }\n";
  auto graph = ImportTfGraph(Parse(text));
  ASSERT_TRUE(graph.ok()) << graph.status();
  auto session = Session::Create(*std::move(graph));
  ASSERT_TRUE(session.ok()) << session.status();

  const std::vector<float> xv = {-2.5f, -0.5f, 0.5f, 1.5f, 2.5f, 3.25f};
  const std::vector<float> yv = {1.5f, -0.75f, 0.5f, 2.0f, -1.25f, 0.5f};
  const double sa = 1.6732632423543772, sg = 1.0507009873554805;
  const std::vector<Expect> expects = {
      {"leaky", [](double x, double) { return x < 0 ? 0.125 * x : x; }},
      {"leaky_default", [](double x, double) { return x < 0 ? 0.2 * x : x; }},
      {"Elu", [](double x, double) { return x > 0 ? x : std::exp(x) - 1; }},
      {"Selu", [=](double x, double) { return sg * (x > 0 ? x : sa * (std::exp(x) - 1)); }},
      {"Softplus", [](double x, double) { return std::log1p(std::exp(x)); }},
      {"Softsign", [](double x, double) { return x / (1 + std::fabs(x)); }},
      {"Erf", [](double x, double) { return std::erf(x); }},
      {"Erfc", [](double x, double) { return std::erfc(x); }},
      {"Abs", [](double x, double) { return std::fabs(x); }},
      {"Floor", [](double x, double) { return std::floor(x); }},
      {"Ceil", [](double x, double) { return std::ceil(x); }},
      {"Round", [](double x, double) { return std::nearbyint(x); }},
      {"Sign", [](double x, double) { return (x > 0) - (x < 0); }},
      {"SquaredDifference", [](double x, double y) { return (x - y) * (x - y); }},
      {"Minimum", [](double x, double y) { return std::fmin(x, y); }},
      {"Pow", [](double x, double y) { return std::pow(x, y); }},
      {"FloorMod", [](double x, double y) { return x - y * std::floor(x / y); }},
      {"Less", [](double x, double y) { return x < y; }},
      {"GreaterEqual", [](double x, double y) { return x >= y; }},
      {"NotEqual", [](double x, double y) { return x != y; }},
      {"select", [](double x, double y) { return x < y ? x : y; }},
      {"not", [](double x, double y) { return !(x < y); }},
  };
  std::vector<TensorName> fetches;
  for (const Expect& e : expects) fetches.push_back(e.node);
  auto got = (*session)->Run({{"x", Tensor::FromVector<float>(xv, {6})},
                              {"y", Tensor::FromVector<float>(yv, {6})}},
                             fetches);
  ASSERT_TRUE(got.ok()) << got.status();
  for (size_t k = 0; k < expects.size(); ++k) {
    const Tensor& t = (*got)[k];
    for (int i = 0; i < 6; ++i) {
      const double want = expects[k].ref(xv[i], yv[i]);
      const double have =
          t.dtype() == DataType::kBool ? t.data<bool>()[i] : t.data<float>()[i];
      if (std::isnan(want)) {
        EXPECT_TRUE(std::isnan(have)) << expects[k].node << " at " << i;
      } else {
        EXPECT_NEAR(have, want, 1e-6 + 1e-6 * std::fabs(want))
            << expects[k].node << " at x = " << xv[i] << ", y = " << yv[i];
      }
    }
  }
}

}  // namespace
}  // namespace graphrt
