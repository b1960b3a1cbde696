// BatchNormalization folded into the Conv / Gemm / MatMul + Add before it,
// on the ONNX graph before conversion: see Note [Folding BatchNormalization
// at import] in onnx_fold.h.
#include "core/graph/onnx/onnx_fold.h"

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "core/graph/onnx/onnx_converter.h"
#include "core/graph/onnx/onnx_graph_index.h"

namespace graphrt::onnx_import {
namespace {

// An initializer's values widened to double, with its dims and ONNX dtype.
struct Values {
  int32_t elem = 0;
  std::vector<int64_t> dims;
  std::vector<double> v;
};

class Folder {
 public:
  Folder(const onnx::GraphProto& g, int64_t opset) : g_(g), index_(g), opset_(opset) {}

  // One planned fold: node indices, and the new weights (initializer
  // protos, named, in the producer's dtype).
  struct Fold {
    int bn = -1, producer = -1, add = -1;  // add: the MatMul+Add form's Add
    int weight_input = 1, bias_input = 2;  // which inputs of `producer`/`add` change
    onnx::TensorProto weight, bias;
  };

  std::vector<Fold> Plan() {
    std::vector<Fold> folds;
    for (int i = 0; i < g_.node_size(); ++i) {
      const onnx::NodeProto& bn = g_.node(i);
      if (bn.op_type() != "BatchNormalization" || !IsDefaultDomain(bn)) continue;
      if (std::optional<Fold> f = PlanOne(i)) folds.push_back(*std::move(f));
    }
    return folds;
  }

 private:
  std::optional<Values> Init(const std::string& name) const {
    const onnx::TensorProto* init = index_.Initializer(name);
    if (init == nullptr) return std::nullopt;
    const onnx::TensorProto& t = *init;
    if (t.data_type() != onnx::TensorProto::FLOAT && t.data_type() != onnx::TensorProto::DOUBLE) {
      return std::nullopt;
    }
    absl::StatusOr<Tensor> v = TensorFromOnnx(t);
    if (!v.ok()) return std::nullopt;
    Values out{t.data_type(), std::vector<int64_t>(t.dims().begin(), t.dims().end()), {}};
    out.v.reserve(v->num_elements());
    if (v->dtype() == DataType::kFloat32) {
      for (float x : v->flat<float>()) out.v.push_back(x);
    } else {
      for (double x : v->flat<double>()) out.v.push_back(x);
    }
    return out;
  }

  std::string NewName(const std::string& base) {
    std::string name = base;
    for (int k = 1; index_.Initializer(name) != nullptr || taken_.contains(name); ++k) {
      name = absl::StrCat(base, "_", k);
    }
    taken_.insert(name);
    return name;
  }

  onnx::TensorProto Make(const std::string& name, int32_t elem, const std::vector<int64_t>& dims,
                         const std::vector<double>& v) {
    onnx::TensorProto t;
    t.set_name(NewName(name));
    t.set_data_type(elem);
    for (int64_t d : dims) t.add_dims(d);
    for (double x : v) {
      if (elem == onnx::TensorProto::FLOAT) t.add_float_data(static_cast<float>(x));
      else t.add_double_data(x);
    }
    return t;
  }

  // A bias of [C], [1, C] or one element, as C values (zeros when absent).
  static std::optional<std::vector<double>> PerChannel(const std::optional<Values>& b, int64_t c) {
    if (!b.has_value()) return std::vector<double>(c, 0.0);
    const size_t n = b->v.size();
    const bool shape_ok = b->dims.size() <= 1 || (b->dims.size() == 2 && b->dims[0] == 1);
    if (!shape_ok || (n != 1 && n != static_cast<size_t>(c))) return std::nullopt;
    if (n == 1) return std::vector<double>(c, b->v[0]);
    return b->v;
  }

  std::optional<Fold> PlanOne(int bn_index) {
    const onnx::NodeProto& bn = g_.node(bn_index);
    if (NodeIntAttr(bn, "training_mode", 0) != 0 || bn.input_size() != 5) return std::nullopt;
    for (int i = 1; i < bn.output_size(); ++i) {
      if (!bn.output(i).empty()) return std::nullopt;
    }
    if (opset_ < 9 && NodeIntAttr(bn, "spatial", 1) != 1) return std::nullopt;
    std::optional<Values> p[4];
    for (int i = 0; i < 4; ++i) {
      p[i] = Init(bn.input(i + 1));
      if (!p[i] || p[i]->dims.size() != 1 || p[i]->elem != p[0]->elem) return std::nullopt;
    }
    const int64_t c = static_cast<int64_t>(p[0]->v.size());
    if (c == 0) return std::nullopt;
    for (int i = 1; i < 4; ++i) {
      if (static_cast<int64_t>(p[i]->v.size()) != c) return std::nullopt;
    }
    // y = x * a + s per channel, computed in double.
    const double eps = NodeFloatAttr(bn, "epsilon", 1e-5f);
    std::vector<double> a(c), s(c);
    for (int64_t k = 0; k < c; ++k) {
      a[k] = p[0]->v[k] / std::sqrt(p[3]->v[k] + eps);
      s[k] = p[1]->v[k] - p[2]->v[k] * a[k];
    }
    const int producer = index_.SoleProducer(bn.input(0));
    if (producer < 0) return std::nullopt;
    const onnx::NodeProto& prod = g_.node(producer);
    Fold f;
    f.bn = bn_index;
    f.producer = producer;
    const std::string base = bn.output(0);
    if (prod.op_type() == "Conv") {
      std::optional<Values> w = Init(prod.input_size() > 1 ? prod.input(1) : "");
      if (!w || w->elem != p[0]->elem || w->dims.size() < 3 || w->dims[0] != c) return std::nullopt;
      std::optional<Values> b;
      if (prod.input_size() > 2 && !prod.input(2).empty()) {
        b = Init(prod.input(2));
        if (!b || b->elem != w->elem || b->dims.size() != 1) return std::nullopt;
      }
      std::optional<std::vector<double>> bias = PerChannel(b, c);
      if (!bias) return std::nullopt;
      const size_t per = w->v.size() / c;
      for (size_t i = 0; i < w->v.size(); ++i) w->v[i] *= a[i / per];
      for (int64_t k = 0; k < c; ++k) (*bias)[k] = (*bias)[k] * a[k] + s[k];
      f.weight = Make(base + "/folded_W", w->elem, w->dims, w->v);
      f.bias = Make(base + "/folded_B", w->elem, {c}, *bias);
      return f;
    }
    if (prod.op_type() == "Gemm") {
      std::optional<Values> w = Init(prod.input_size() > 1 ? prod.input(1) : "");
      if (!w || w->elem != p[0]->elem || w->dims.size() != 2) return std::nullopt;
      const bool tb = NodeIntAttr(prod, "transB", 0) != 0;
      if (w->dims[tb ? 0 : 1] != c) return std::nullopt;
      std::optional<Values> b;
      if (prod.input_size() > 2 && !prod.input(2).empty()) {
        b = Init(prod.input(2));
        if (!b || b->elem != w->elem) return std::nullopt;
      }
      std::optional<std::vector<double>> bias = PerChannel(b, c);
      if (!bias) return std::nullopt;
      const double beta = b.has_value() ? NodeFloatAttr(prod, "beta", 1.0f) : 0.0;
      const int64_t cols = w->dims[1];
      for (size_t i = 0; i < w->v.size(); ++i) {
        w->v[i] *= a[tb ? i / cols : i % cols];
      }
      for (int64_t k = 0; k < c; ++k) (*bias)[k] = beta * (*bias)[k] * a[k] + s[k];
      f.weight = Make(base + "/folded_B", w->elem, w->dims, w->v);
      f.bias = Make(base + "/folded_C", w->elem, {c}, *bias);
      return f;
    }
    if (prod.op_type() == "Add" && opset_ >= 7 && prod.input_size() == 2) {
      // Add(MatMul(x, W), b) or Add(b, MatMul(x, W)).
      for (int side = 0; side < 2; ++side) {
        const int mm = index_.SoleProducer(prod.input(side));
        if (mm < 0 || g_.node(mm).op_type() != "MatMul") continue;
        const onnx::NodeProto& matmul = g_.node(mm);
        if (index_.DeclaredRank(matmul.input(0)) != 2) return std::nullopt;
        std::optional<Values> w = Init(matmul.input(1));
        std::optional<Values> b = Init(prod.input(1 - side));
        if (!w || !b || w->elem != p[0]->elem || b->elem != w->elem || w->dims.size() != 2 ||
            w->dims[1] != c) {
          return std::nullopt;
        }
        std::optional<std::vector<double>> bias = PerChannel(b, c);
        if (!bias) return std::nullopt;
        for (size_t i = 0; i < w->v.size(); ++i) w->v[i] *= a[i % c];
        for (int64_t k = 0; k < c; ++k) (*bias)[k] = (*bias)[k] * a[k] + s[k];
        f.producer = mm;
        f.add = producer;
        f.bias_input = 1 - side;
        f.weight = Make(base + "/folded_W", w->elem, w->dims, w->v);
        f.bias = Make(base + "/folded_bias", w->elem, {c}, *bias);
        return f;
      }
    }
    return std::nullopt;
  }

  const onnx::GraphProto& g_;
  OnnxGraphIndex index_;
  int64_t opset_;
  absl::flat_hash_set<std::string> taken_;
};

}  // namespace

std::optional<onnx::GraphProto> FoldBatchNorms(const onnx::GraphProto& graph, int64_t opset,
                                               int* folded) {
  std::vector<Folder::Fold> folds = Folder(graph, opset).Plan();
  if (folded != nullptr) *folded = static_cast<int>(folds.size());
  if (folds.empty()) return std::nullopt;
  onnx::GraphProto g = graph;
  absl::flat_hash_set<int> removed;
  for (Folder::Fold& f : folds) {
    onnx::NodeProto* prod = g.mutable_node(f.producer);
    prod->set_input(f.weight_input, f.weight.name());
    onnx::NodeProto* last = prod;  // the node whose output becomes the BN's
    if (f.add >= 0) {
      last = g.mutable_node(f.add);
      last->set_input(f.bias_input, f.bias.name());
    } else {
      while (prod->input_size() < 3) prod->add_input("");
      prod->set_input(2, f.bias.name());
      if (prod->op_type() == "Gemm") {
        // The folded C already holds beta * C.
        bool set = false;
        for (onnx::AttributeProto& a : *prod->mutable_attribute()) {
          if (a.name() == "beta") {
            a.set_f(1.0f);
            set = true;
          }
        }
        if (!set) {
          onnx::AttributeProto* a = prod->add_attribute();
          a->set_name("beta");
          a->set_type(onnx::AttributeProto::FLOAT);
          a->set_f(1.0f);
        }
      }
    }
    last->set_output(0, g.node(f.bn).output(0));
    *g.add_initializer() = std::move(f.weight);
    *g.add_initializer() = std::move(f.bias);
    removed.insert(f.bn);
  }
  google::protobuf::RepeatedPtrField<onnx::NodeProto> kept;
  for (int i = 0; i < g.node_size(); ++i) {
    if (!removed.contains(i)) *kept.Add() = std::move(*g.mutable_node(i));
  }
  g.mutable_node()->Swap(&kept);
  return g;
}

}  // namespace graphrt::onnx_import
