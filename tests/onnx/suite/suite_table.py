#!/usr/bin/env python3
"""Tables for docs/onnx.md from tests/onnx/expectations.txt: passed/total per
suite folder and, for node/ tests, per op family (the family of the op the
test is named after, found among the op types its model.onnx uses).

  tests/onnx/suite/suite_table.py [--data DIR] [--expectations FILE]

Reads model.onnx with a minimal protobuf walk (ModelProto.graph = 7,
GraphProto.node = 1, NodeProto.op_type = 4), so it needs no onnx package.
"""
import argparse
import collections
import os
import re

FAMILIES = {
    "core": "Constant Identity Cast CastLike Dropout",
    "elementwise": "Abs Neg Reciprocal Sqrt Pow Exp Log Erf Floor Ceil Round Sign Sin Cos Tan "
                   "Asin Acos Atan Sinh Cosh Tanh Asinh Acosh Atanh Min Max Sum Mean Mod Equal "
                   "Less LessOrEqual Greater GreaterOrEqual Or And Xor Not Where Add Sub Mul Div "
                   "IsNaN IsInf BitShift Relu LeakyRelu Elu Selu Softplus Softsign HardSigmoid "
                   "HardSwish Gelu PRelu Clip Hardmax Sigmoid ThresholdedRelu Celu Mish Shrink",
    "shape": "Reshape Flatten Transpose Squeeze Unsqueeze Concat Split Slice Gather "
             "GatherElements GatherND ScatterElements ScatterND Scatter Expand Tile Pad Shape "
             "Size ConstantOfShape Range OneHot TopK CumSum Trilu ArgMax ArgMin DepthToSpace "
             "SpaceToDepth Compress NonZero EyeLike Resize Upsample Unique ReduceSum ReduceMean "
             "ReduceMax ReduceMin ReduceProd ReduceL1 ReduceL2 ReduceLogSum ReduceLogSumExp "
             "ReduceSumSquare",
    "nn": "Gemm MatMul Conv ConvTranspose MaxPool AveragePool GlobalAveragePool GlobalMaxPool "
          "LpPool BatchNormalization LayerNormalization InstanceNormalization Softmax "
          "LogSoftmax LRN NegativeLogLikelihoodLoss SoftmaxCrossEntropyLoss LSTM GRU RNN "
          "MeanVarianceNormalization LpNormalization Einsum MaxUnpool MaxRoiPool RoiAlign "
          "GroupNormalization Det",
    "out of scope": "If Loop Scan SequenceAt SequenceConstruct SequenceEmpty SequenceErase "
                    "SequenceInsert SequenceLength SequenceMap SplitToSequence ConcatFromSequence "
                    "Optional OptionalGetElement OptionalHasElement StringNormalizer "
                    "RegexFullMatch TfIdfVectorizer QuantizeLinear DequantizeLinear "
                    "DynamicQuantizeLinear QLinearConv QLinearMatMul MatMulInteger ConvInteger "
                    "DFT STFT HannWindow HammingWindow BlackmanWindow MelWeightMatrix Adagrad "
                    "Adam Momentum Gradient RandomNormal RandomNormalLike RandomUniform "
                    "RandomUniformLike Bernoulli Multinomial NonMaxSuppression",
}
FAMILY_OF = {op: fam for fam, ops in FAMILIES.items() for op in ops.split()}


def fields(buf):
    """(field number, wire type, value) of one protobuf message."""
    i = 0
    while i < len(buf):
        key, i = varint(buf, i)
        num, wt = key >> 3, key & 7
        if wt == 0:
            val, i = varint(buf, i)
        elif wt == 1:
            val, i = buf[i:i + 8], i + 8
        elif wt == 2:
            n, i = varint(buf, i)
            val, i = buf[i:i + n], i + n
        elif wt == 5:
            val, i = buf[i:i + 4], i + 4
        else:
            return
        yield num, wt, val


def varint(buf, i):
    shift = result = 0
    while True:
        b = buf[i]
        i += 1
        result |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return result, i


def op_types(path):
    ops = []
    with open(path, "rb") as f:
        model = f.read()
    for num, wt, graph in fields(model):
        if num == 7 and wt == 2:
            for gnum, gwt, node in fields(graph):
                if gnum == 1 and gwt == 2:
                    ops += [v.decode() for n, w, v in fields(node) if n == 4 and w == 2]
    return ops


ALIASES = {"sce": "SoftmaxCrossEntropyLoss", "nllloss": "NegativeLogLikelihoodLoss"}


def family(test, ops):
    """The family of the op the test is named after (test_reduce_sum_* is
    ReduceSum), else of the model's first op."""
    name = test[len("test_"):].replace("_", "").lower()
    candidates = {op.lower(): op for op in list(FAMILY_OF) + ops}
    candidates.update(ALIASES)
    named = [k for k in candidates if name.startswith(k)]
    op = candidates[max(named, key=len)] if named else (ops[0] if ops else "?")
    return FAMILY_OF.get(op, "other")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser()
    p.add_argument("--data", default=os.environ.get("GRAPHRT_ONNX_TESTDATA",
                                                    "/usr/share/libonnx-testdata/data"))
    p.add_argument("--expectations", default=os.path.join(here, "..", "expectations.txt"))
    a = p.parse_args()
    folders = collections.OrderedDict()
    fams = collections.defaultdict(lambda: [0, 0])
    for line in open(a.expectations):
        if line.startswith("#") or not line.strip():
            continue
        case, result = line.split(" ", 1)
        ok = result.strip() == "pass"
        folder, test = case.split("/", 1)
        f = folders.setdefault(folder, [0, 0])
        f[0] += ok
        f[1] += 1
        if folder == "node":
            fam = family(test, op_types(os.path.join(a.data, folder, test, "model.onnx")))
            fams[fam][0] += ok
            fams[fam][1] += 1
    print("| folder | graphrt passed / total |\n|---|---|")
    for folder, (ok, n) in folders.items():
        print(f"| {folder} | {ok} / {n} |")
    total = [sum(v[0] for v in folders.values()), sum(v[1] for v in folders.values())]
    print(f"| all | {total[0]} / {total[1]} |\n")
    print("| node/ op family | graphrt passed / total |\n|---|---|")
    for fam in ["core", "elementwise", "shape", "nn", "other", "out of scope"]:
        if fam in fams:
            print(f"| {fam} | {fams[fam][0]} / {fams[fam][1]} |")


if __name__ == "__main__":
    main()
