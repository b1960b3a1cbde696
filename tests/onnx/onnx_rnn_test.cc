// ONNX RNN, GRU and LSTM imported (core/graph/onnx/onnx_rnn_converters.cc,
// unrolled per step) against loops written here from the ONNX operator
// spec's equations, in double precision: every direction, sequence_lens,
// initial_h / initial_c, biases, peepholes, linear_before_reset, layout 1,
// clip, input_forget and non-default activations; and the refusals.
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/executor/session.h"
#include "core/graph/onnx/onnx_import.h"
#include "tests/onnx/onnx_test_util.h"

// The cases below are designated initializers naming only what differs
// from the defaults.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace graphrt {
namespace {

using onnx::AttributeProto;
using onnx::TensorProto;
using namespace onnx_test;  // NOLINT: test builders

enum class Cell { kRnn, kGru, kLstm };

struct Case {
  Cell cell = Cell::kLstm;
  std::string direction = "forward";
  int T = 3, B = 2, I = 3, H = 4;
  bool bias = false, lens = false, h0 = false, c0 = false, peep = false;
  bool lbr = false, layout1 = false, input_forget = false;
  float clip = 0;                    // 0: no clip attr
  std::vector<std::string> acts;     // empty: the defaults
  std::vector<float> alphas, betas;  // activation_alpha / _beta
};

int Gates(Cell c) { return c == Cell::kLstm ? 4 : c == Cell::kGru ? 3 : 1; }

double Act(const std::string& f, double x, float alpha, float beta) {
  if (f == "Sigmoid") return 1 / (1 + std::exp(-x));
  if (f == "Tanh") return std::tanh(x);
  if (f == "Relu") return std::max(x, 0.0);
  if (f == "LeakyRelu") return x >= 0 ? x : alpha * x;
  if (f == "HardSigmoid") return std::clamp(alpha * x + beta, 0.0, 1.0);
  if (f == "ScaledTanh") return alpha * std::tanh(beta * x);
  ADD_FAILURE() << "no reference for " << f;
  return 0;
}

struct Data {
  std::vector<float> x, w, r, b, p, h0, c0;
  std::vector<int32_t> lens;
};

// The spec's equations, time-major ([T, B, I] in, Y [T, D, B, H]).
struct Reference {
  std::vector<double> y, yh, yc;
};

Reference Compute(const Case& k, const Data& d) {
  const int D = k.direction == "bidirectional" ? 2 : 1, G = Gates(k.cell), H = k.H, B = k.B;
  std::vector<std::string> acts = k.acts;
  if (acts.empty()) {
    acts = k.cell == Cell::kRnn ? std::vector<std::string>{"Tanh"}
           : k.cell == Cell::kGru ? std::vector<std::string>{"Sigmoid", "Tanh"}
                                  : std::vector<std::string>{"Sigmoid", "Tanh", "Tanh"};
  }
  const int per = k.cell == Cell::kRnn ? 1 : k.cell == Cell::kGru ? 2 : 3;
  if (static_cast<int>(acts.size()) == per && D == 2) {
    const std::vector<std::string> once = acts;
    acts.insert(acts.end(), once.begin(), once.end());
  }
  Reference ref{std::vector<double>(k.T * D * B * H, 0.0), std::vector<double>(D * B * H),
                std::vector<double>(D * B * H)};
  auto clip = [&](double v) { return k.clip > 0 ? std::clamp(v, -double(k.clip), double(k.clip)) : v; };
  for (int dir = 0; dir < D; ++dir) {
    const bool reverse = k.direction == "reverse" || dir == 1;
    auto act = [&](int j, double v) {
      const int idx = dir * per + j;
      const float a = idx < static_cast<int>(k.alphas.size()) ? k.alphas[idx] : 0;
      const float bb = idx < static_cast<int>(k.betas.size()) ? k.betas[idx] : 0;
      return Act(acts[idx], v, a, bb);
    };
    auto W = [&](int row, int i) { return double(d.w[(dir * G * H + row) * k.I + i]); };
    auto R = [&](int row, int j) { return double(d.r[(dir * G * H + row) * H + j]); };
    auto Wb = [&](int row) { return k.bias ? double(d.b[dir * 2 * G * H + row]) : 0.0; };
    auto Rb = [&](int row) { return k.bias ? double(d.b[dir * 2 * G * H + G * H + row]) : 0.0; };
    auto P = [&](int row) { return k.peep ? double(d.p[dir * 3 * H + row]) : 0.0; };
    for (int b = 0; b < B; ++b) {
      const int len = k.lens ? d.lens[b] : k.T;
      std::vector<double> h(H, 0.0), c(H, 0.0);
      for (int j = 0; j < H; ++j) {
        if (k.h0) h[j] = d.h0[(dir * B + b) * H + j];
        if (k.c0) c[j] = d.c0[(dir * B + b) * H + j];
      }
      for (int s = 0; s < len; ++s) {
        const int t = reverse ? len - 1 - s : s;
        // xw[g] = x_t . W[g] + Wb[g]; hr[g] = h . R[g] (+ Rb[g]).
        auto xw = [&](int row) {
          double v = Wb(row);
          for (int i = 0; i < k.I; ++i) v += double(d.x[(t * B + b) * k.I + i]) * W(row, i);
          return v;
        };
        auto hr = [&](const std::vector<double>& hv, int row) {
          double v = Rb(row);
          for (int j = 0; j < H; ++j) v += hv[j] * R(row, j);
          return v;
        };
        std::vector<double> hn(H), cn(H);
        if (k.cell == Cell::kRnn) {
          for (int j = 0; j < H; ++j) hn[j] = act(0, clip(xw(j) + hr(h, j)));
        } else if (k.cell == Cell::kGru) {
          std::vector<double> z(H), r(H), rh(H);
          for (int j = 0; j < H; ++j) {
            z[j] = act(0, clip(xw(j) + hr(h, j)));
            r[j] = act(0, clip(xw(H + j) + hr(h, H + j)));
            rh[j] = r[j] * h[j];
          }
          for (int j = 0; j < H; ++j) {
            const double pre = k.lbr ? xw(2 * H + j) + r[j] * hr(h, 2 * H + j)
                                     : xw(2 * H + j) + hr(rh, 2 * H + j);
            const double ht = act(1, clip(pre));
            hn[j] = (1 - z[j]) * ht + z[j] * h[j];
          }
        } else {  // LSTM: gates i o f c, peepholes i o f
          for (int j = 0; j < H; ++j) {
            const double i = act(0, clip(xw(j) + hr(h, j) + P(j) * c[j]));
            const double f = k.input_forget ? 1 - i
                                            : act(0, clip(xw(2 * H + j) + hr(h, 2 * H + j) + P(2 * H + j) * c[j]));
            const double g = act(1, clip(xw(3 * H + j) + hr(h, 3 * H + j)));
            cn[j] = f * c[j] + i * g;
            const double o = act(0, clip(xw(H + j) + hr(h, H + j) + P(H + j) * cn[j]));
            hn[j] = o * act(2, cn[j]);
          }
        }
        h = hn;
        c = cn;
        for (int j = 0; j < H; ++j) ref.y[((t * D + dir) * B + b) * H + j] = h[j];
      }
      for (int j = 0; j < H; ++j) {
        ref.yh[(dir * B + b) * H + j] = h[j];
        ref.yc[(dir * B + b) * H + j] = c[j];
      }
    }
  }
  return ref;
}

// [A, B, C] row-major -> [B, A, C].
std::vector<float> Swap01(const std::vector<float>& v, int a, int b, int c) {
  std::vector<float> out(v.size());
  for (int i = 0; i < a; ++i)
    for (int j = 0; j < b; ++j)
      for (int k = 0; k < c; ++k) out[(j * a + i) * c + k] = v[(i * b + j) * c + k];
  return out;
}

void Check(const Case& k) {
  const int D = k.direction == "bidirectional" ? 2 : 1, G = Gates(k.cell);
  std::mt19937 rng(18 + k.T * 7 + k.H);
  std::uniform_real_distribution<float> u(-1, 1);
  auto random = [&](int n) {
    std::vector<float> v(n);
    for (float& x : v) x = u(rng);
    return v;
  };
  Data d;
  d.x = random(k.T * k.B * k.I);
  d.w = random(D * G * k.H * k.I);
  d.r = random(D * G * k.H * k.H);
  d.b = random(D * 2 * G * k.H);
  d.p = random(D * 3 * k.H);
  d.h0 = random(D * k.B * k.H);
  d.c0 = random(D * k.B * k.H);
  for (int b = 0; b < k.B; ++b) d.lens.push_back(k.T - b % k.T);  // T, T-1, ...
  const Reference ref = Compute(k, d);

  const char* op = k.cell == Cell::kLstm ? "LSTM" : k.cell == Cell::kGru ? "GRU" : "RNN";
  onnx::ModelProto m = Model(14);
  std::vector<std::string> in = {"X", "W", "R", "", "", "", "", ""};
  std::vector<Tensor> feeds;
  auto feed = [&](int slot, const std::string& name, const std::vector<int64_t>& dims,
                  const std::vector<float>& v) {
    AddInput(m, name, TensorProto::FLOAT, dims);
    in[slot] = name;
    feeds.push_back(Tensor::FromVector(v, TensorShape(dims)));
  };
  if (k.layout1) feed(0, "X", {k.B, k.T, k.I}, Swap01(d.x, k.T, k.B, k.I));
  else feed(0, "X", {k.T, k.B, k.I}, d.x);
  feed(1, "W", {D, G * k.H, k.I}, d.w);
  feed(2, "R", {D, G * k.H, k.H}, d.r);
  if (k.bias) feed(3, "B", {D, 2 * G * k.H}, d.b);
  if (k.lens) {
    AddInput(m, "lens", TensorProto::INT32, {k.B});
    in[4] = "lens";
    feeds.push_back(Tensor::FromVector(d.lens));
  }
  auto state = [&](int slot, const std::string& name, const std::vector<float>& v) {
    if (k.layout1) feed(slot, name, {k.B, D, k.H}, Swap01(v, D, k.B, k.H));
    else feed(slot, name, {D, k.B, k.H}, v);
  };
  if (k.h0) state(5, "h0", d.h0);
  if (k.c0) state(6, "c0", d.c0);
  if (k.peep) feed(7, "P", {D, 3 * k.H}, d.p);
  while (!in.empty() && in.back().empty()) in.pop_back();
  const bool lstm = k.cell == Cell::kLstm;
  std::vector<std::string> outs = {"Y", "Y_h"};
  if (lstm) outs.push_back("Y_c");
  onnx::NodeProto* n = AddNode(m, op, in, outs, "rnn");
  AddAttr(n, "hidden_size", AttributeProto::INT)->set_i(k.H);
  AddAttr(n, "direction", AttributeProto::STRING)->set_s(k.direction);
  if (k.layout1) AddAttr(n, "layout", AttributeProto::INT)->set_i(1);
  if (k.lbr) AddAttr(n, "linear_before_reset", AttributeProto::INT)->set_i(1);
  if (k.input_forget) AddAttr(n, "input_forget", AttributeProto::INT)->set_i(1);
  if (k.clip > 0) AddAttr(n, "clip", AttributeProto::FLOAT)->set_f(k.clip);
  if (!k.acts.empty()) {
    AttributeProto* a = AddAttr(n, "activations", AttributeProto::STRINGS);
    for (const std::string& s : k.acts) a->add_strings(s);
  }
  // The test lists one alpha/beta per activation (0 where unused); the
  // op consumes them only for the activations that take them.
  auto floats = [&](const char* name, const std::vector<float>& v, bool alpha) {
    AttributeProto* a = nullptr;
    for (size_t i = 0; i < v.size(); ++i) {
      const std::string& f = k.acts[i % k.acts.size()];
      const bool takes = alpha ? (f == "LeakyRelu" || f == "HardSigmoid" || f == "ScaledTanh")
                               : (f == "HardSigmoid" || f == "ScaledTanh");
      if (!takes) continue;
      if (a == nullptr) a = AddAttr(n, name, AttributeProto::FLOATS);
      a->add_floats(v[i]);
    }
  };
  floats("activation_alpha", k.alphas, true);
  floats("activation_beta", k.betas, false);
  const int64_t B = k.B, T = k.T, H = k.H;
  if (k.layout1) {
    AddOutput(m, "Y", TensorProto::FLOAT, {B, T, D, H});
    AddOutput(m, "Y_h", TensorProto::FLOAT, {B, D, H});
    if (lstm) AddOutput(m, "Y_c", TensorProto::FLOAT, {B, D, H});
  } else {
    AddOutput(m, "Y", TensorProto::FLOAT, {T, D, B, H});
    AddOutput(m, "Y_h", TensorProto::FLOAT, {D, B, H});
    if (lstm) AddOutput(m, "Y_c", TensorProto::FLOAT, {D, B, H});
  }

  absl::StatusOr<OnnxModel> model = ImportOnnxModel(m);
  ASSERT_TRUE(model.ok()) << model.status();
  FeedList fl;
  for (size_t i = 0; i < feeds.size(); ++i) fl.emplace_back(model->inputs[i], feeds[i]);
  std::vector<TensorName> fetches(model->outputs.begin(), model->outputs.end());
  auto s = Session::Create(std::move(model->graph));
  ASSERT_TRUE(s.ok()) << s.status();
  absl::StatusOr<std::vector<Tensor>> out = (*s)->Run(fl, fetches);
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_EQ(out->size(), lstm ? 3u : 2u);
  for (int t = 0; t < T; ++t)
    for (int dir = 0; dir < D; ++dir)
      for (int b = 0; b < B; ++b)
        for (int j = 0; j < H; ++j) {
          const int64_t got = k.layout1 ? ((b * T + t) * D + dir) * H + j : ((t * D + dir) * B + b) * H + j;
          EXPECT_NEAR((*out)[0].flat<float>()[got], ref.y[((t * D + dir) * B + b) * H + j], 1e-5)
              << "Y t=" << t << " d=" << dir << " b=" << b << " j=" << j;
        }
  for (size_t o = 1; o < out->size(); ++o) {
    const std::vector<double>& want = o == 1 ? ref.yh : ref.yc;
    for (int dir = 0; dir < D; ++dir)
      for (int b = 0; b < B; ++b)
        for (int j = 0; j < H; ++j) {
          const int64_t got = k.layout1 ? (b * D + dir) * H + j : (dir * B + b) * H + j;
          EXPECT_NEAR((*out)[o].flat<float>()[got], want[(dir * B + b) * H + j], 1e-5)
              << (o == 1 ? "Y_h" : "Y_c") << " d=" << dir << " b=" << b << " j=" << j;
        }
  }
}

TEST(OnnxRnnTest, RnnEveryDirection) {
  for (const char* dir : {"forward", "reverse", "bidirectional"}) {
    SCOPED_TRACE(dir);
    Case k{.cell = Cell::kRnn, .direction = dir};
    Check(k);
    k.bias = k.h0 = true;
    Check(k);
    k.lens = true;
    k.B = 3;
    Check(k);
  }
}

TEST(OnnxRnnTest, RnnReluAndLeakyRelu) {
  Check(Case{.cell = Cell::kRnn, .bias = true, .acts = {"Relu"}});
  Check(Case{.cell = Cell::kRnn, .direction = "bidirectional", .bias = true,
             .acts = {"LeakyRelu", "Relu"}, .alphas = {0.3f, 0}});
}

TEST(OnnxRnnTest, GruBothResetForms) {
  for (bool lbr : {false, true}) {
    for (const char* dir : {"forward", "reverse", "bidirectional"}) {
      SCOPED_TRACE(std::string(dir) + (lbr ? " lbr" : ""));
      Check(Case{.cell = Cell::kGru, .direction = dir, .lbr = lbr});
      Check(Case{.cell = Cell::kGru, .direction = dir, .B = 3, .bias = true, .lens = true,
                 .h0 = true, .lbr = lbr});
    }
  }
}

TEST(OnnxRnnTest, LstmEveryDirectionWithPeepholes) {
  for (const char* dir : {"forward", "reverse", "bidirectional"}) {
    SCOPED_TRACE(dir);
    Check(Case{.cell = Cell::kLstm, .direction = dir});
    Check(Case{.cell = Cell::kLstm, .direction = dir, .T = 4, .B = 3, .bias = true, .lens = true,
               .h0 = true, .c0 = true, .peep = true});
    Check(Case{.cell = Cell::kLstm, .direction = dir, .bias = true, .peep = true});  // no c0
  }
}

TEST(OnnxRnnTest, LayoutOne) {
  Check(Case{.cell = Cell::kLstm, .direction = "bidirectional", .bias = true, .h0 = true,
             .c0 = true, .layout1 = true});
  Check(Case{.cell = Cell::kGru, .B = 3, .lens = true, .h0 = true, .layout1 = true});
  Check(Case{.cell = Cell::kRnn, .T = 1, .layout1 = true});
}

TEST(OnnxRnnTest, LstmClipInputForgetAndActivations) {
  Check(Case{.cell = Cell::kLstm, .bias = true, .h0 = true, .clip = 0.4f});
  Check(Case{.cell = Cell::kLstm, .bias = true, .input_forget = true});
  Check(Case{.cell = Cell::kLstm, .bias = true,
             .acts = {"HardSigmoid", "ScaledTanh", "Tanh"},
             .alphas = {0.3f, 0.9f, 0}, .betas = {0.4f, 1.2f, 0}});
  Check(Case{.cell = Cell::kGru, .bias = true, .clip = 0.5f, .acts = {"HardSigmoid", "Relu"},
             .alphas = {0.25f, 0}, .betas = {0.6f, 0}});
}

TEST(OnnxRnnTest, RefusesUnknownSequenceLengthAndBadActivations) {
  onnx::ModelProto m = Model(14);
  AddInput(m, "X", TensorProto::FLOAT, {-1, 2, 3});
  AddInput(m, "W", TensorProto::FLOAT, {1, 4, 3});
  AddInput(m, "R", TensorProto::FLOAT, {1, 4, 4});
  onnx::NodeProto* n = AddNode(m, "RNN", {"X", "W", "R"}, {"Y"}, "rnn");
  AddAttr(n, "hidden_size", AttributeProto::INT)->set_i(4);
  AddOutput(m, "Y", TensorProto::FLOAT, {-1, 1, 2, 4});
  absl::Status s = ImportOnnxModel(m).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kUnimplemented);
  EXPECT_THAT(s.message(), testing::HasSubstr("ONNX node 'rnn' (RNN): the sequence length"));

  auto* seq = m.mutable_graph()->mutable_input(0)->mutable_type()->mutable_tensor_type()
                  ->mutable_shape()->mutable_dim(0);
  seq->set_dim_value(1 << 20);  // a fixed length past the unroll limit: refused, not built
  s = ImportOnnxModel(m).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kUnimplemented);
  EXPECT_THAT(s.message(), testing::HasSubstr("the sequence length 1048576 is over the 1024 steps"));

  seq->set_dim_value(2);
  AttributeProto* a = AddAttr(m.mutable_graph()->mutable_node(0), "activations", AttributeProto::STRINGS);
  a->add_strings("Tanh");
  a->add_strings("Tanh");
  s = ImportOnnxModel(m).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), testing::HasSubstr("activations lists 2 functions"));
}

}  // namespace
}  // namespace graphrt
