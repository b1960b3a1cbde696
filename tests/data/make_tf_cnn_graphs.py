#!/usr/bin/env python3
"""Writes the TensorFlow CNN test data for graphrt's frozen-graph import.

Run by hand (never by CI or the build), from the repository root:

    python3 tests/data/make_tf_cnn_graphs.py [--data DIR]

The sibling of make_tf_graphs.py (which writes the MLP's files), freezing
small Keras CNNs the same way: each model is trained for one short epoch on
the first 6,000 Fashion-MNIST training images (so that batch norm's moving
statistics and every weight are far from their initial values), wrapped in a
tf.function with a [None, 28, 28, 1] uint8 input named "images", frozen with
convert_variables_to_constants_v2 and given an Identity "probabilities" as
its output. Models (Keras layers they use):

    tf_cnn_plain     Rescaling, Conv2D(8, 3x3, same, relu), MaxPooling2D(2),
                     Conv2D(8, 3x3, valid), BatchNormalization, ReLU,
                     AveragePooling2D(2), Dropout(0.3), Flatten, Dense(10),
                     Softmax
    tf_cnn_branches  Rescaling, Conv2D(6, 3x3, stride 2, same, relu), then
                     two branches: DepthwiseConv2D(3x3, depth_multiplier 2,
                     same) + BatchNormalization + ReLU, and Conv2D(4, 1x1,
                     relu) + AveragePooling2D(3, stride 1, same);
                     Concatenate, MaxPooling2D(2), Dropout(0.2), Flatten,
                     Dense(16, relu), Dense(10), Softmax
    tf_cnn_fused     not Keras: Keras 3 writes inference batch norm as
                     Rsqrt/Mul/Sub/AddV2, while older Keras and hand-written
                     TF code use the fused op. tf.nn.conv2d, then
                     tf.compat.v1.nn.fused_batch_norm (is_training False:
                     FusedBatchNormV3 with non-trivial moving statistics),
                     tf.nn.relu, tf.nn.max_pool2d, Reshape, MatMul, BiasAdd,
                     Softmax; seeded random weights, not trained

For each NAME it writes, next to this script:

    NAME_frozen.pb   binary GraphDef, input "images", output "probabilities"
    NAME_images.npy  uint8 [8, 28, 28, 1]: the first 8 test images
    NAME_probs.npy   float32 [8, 10]: TensorFlow's output for them
    NAME_ops.txt     the ops the frozen graph holds, one per line

Needs tensorflow-cpu and numpy (pip) and Debian's dataset-fashion-mnist.
"""
import argparse
import os

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import tensorflow as tf  # noqa: E402
from tensorflow.python.framework.convert_to_constants import (  # noqa: E402
    convert_variables_to_constants_v2,
)

from make_tf_graphs import HERE, read_idx  # noqa: E402

layers = tf.keras.layers


def rescaled_input():
    images = tf.keras.Input((28, 28, 1), dtype=tf.uint8, name="images")
    x = layers.Lambda(lambda t: tf.cast(t, tf.float32))(images)
    return images, layers.Rescaling(1.0 / 255)(x)


def plain_model():
    images, x = rescaled_input()
    x = layers.Conv2D(8, 3, padding="same", activation="relu")(x)
    x = layers.MaxPooling2D(2)(x)
    x = layers.Conv2D(8, 3, padding="valid")(x)
    x = layers.BatchNormalization()(x)
    x = layers.ReLU()(x)
    x = layers.AveragePooling2D(2)(x)
    x = layers.Dropout(0.3)(x)
    x = layers.Flatten()(x)
    logits = layers.Dense(10)(x)
    return tf.keras.Model(images, layers.Softmax(name="probabilities")(logits))


def branches_model():
    images, x = rescaled_input()
    x = layers.Conv2D(6, 3, strides=2, padding="same", activation="relu")(x)
    a = layers.DepthwiseConv2D(3, depth_multiplier=2, padding="same")(x)
    a = layers.BatchNormalization()(a)
    a = layers.ReLU()(a)
    b = layers.Conv2D(4, 1, activation="relu")(x)
    b = layers.AveragePooling2D(3, strides=1, padding="same")(b)
    x = layers.Concatenate()([a, b])
    x = layers.MaxPooling2D(2)(x)
    x = layers.Dropout(0.2)(x)
    x = layers.Flatten()(x)
    x = layers.Dense(16, activation="relu")(x)
    logits = layers.Dense(10)(x)
    return tf.keras.Model(images, layers.Softmax(name="probabilities")(logits))


class FusedModel(tf.Module):
    """Seeded random weights; batch norm statistics far from (0, 1)."""

    def __init__(self):
        super().__init__()
        r = np.random.default_rng(7)
        self.w = tf.Variable(r.normal(0, 0.3, (3, 3, 1, 6)).astype(np.float32))
        self.gamma = tf.Variable(r.uniform(0.5, 1.5, 6).astype(np.float32))
        self.beta = tf.Variable(r.normal(0, 0.2, 6).astype(np.float32))
        self.mean = tf.Variable(r.normal(0, 0.2, 6).astype(np.float32))
        self.var = tf.Variable(r.uniform(0.05, 0.5, 6).astype(np.float32))
        self.dense = tf.Variable(r.normal(0, 0.05, (14 * 14 * 6, 10)).astype(np.float32))
        self.bias = tf.Variable(r.normal(0, 0.1, 10).astype(np.float32))

    def __call__(self, images, training=False):
        x = tf.cast(images, tf.float32) / 255.0
        x = tf.nn.conv2d(x, self.w, strides=1, padding="SAME")
        x, _, _ = tf.compat.v1.nn.fused_batch_norm(x, self.gamma, self.beta, self.mean, self.var,
                                                   epsilon=1e-3, is_training=False)
        x = tf.nn.max_pool2d(tf.nn.relu(x), 2, 2, "VALID")
        x = tf.reshape(x, [-1, 14 * 14 * 6])
        return tf.nn.softmax(tf.nn.bias_add(tf.matmul(x, self.dense), self.bias))


def freeze(model):
    @tf.function(input_signature=[tf.TensorSpec([None, 28, 28, 1], tf.uint8, name="images")])
    def serve(images):
        return {"probabilities": model(images, training=False)}

    frozen = convert_variables_to_constants_v2(serve.get_concrete_function())
    graph_def = frozen.graph.as_graph_def()
    node = graph_def.node.add()  # the output under a name a reader need not guess
    node.name = "probabilities"
    node.op = "Identity"
    node.input.append(frozen.outputs[0].name.split(":")[0])
    node.attr["T"].type = tf.float32.as_datatype_enum
    return frozen, graph_def


def write(name, model, train_x, train_y, test_x):
    if isinstance(model, tf.keras.Model):
        model.compile(optimizer=tf.keras.optimizers.SGD(0.05, momentum=0.9),
                      loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        model.fit(train_x, train_y, batch_size=32, epochs=1, verbose=2)
    frozen, graph_def = freeze(model)
    images = test_x[:8]
    probs = frozen(tf.constant(images))
    probs = (probs[0] if isinstance(probs, (list, tuple)) else probs).numpy()
    np.testing.assert_allclose(probs, model(images, training=False).numpy(), rtol=1e-5, atol=1e-7)
    with open(os.path.join(HERE, f"{name}_frozen.pb"), "wb") as f:
        f.write(graph_def.SerializeToString())
    np.save(os.path.join(HERE, f"{name}_images.npy"), images)
    np.save(os.path.join(HERE, f"{name}_probs.npy"), probs.astype(np.float32))
    ops = sorted({n.op for n in graph_def.node})
    with open(os.path.join(HERE, f"{name}_ops.txt"), "w") as f:
        f.write("".join(f"{op}\n" for op in ops))
    print(f"{name}: {graph_def.ByteSize()} bytes; ops: {', '.join(ops)}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    args = parser.parse_args()
    train_x = read_idx(os.path.join(args.data, "train-images-idx3-ubyte.gz"))[:6000, :, :, None]
    train_y = read_idx(os.path.join(args.data, "train-labels-idx1-ubyte.gz"))[:6000].astype(np.int64)
    test_x = read_idx(os.path.join(args.data, "t10k-images-idx3-ubyte.gz"))[:, :, :, None]
    for name, build in (("tf_cnn_plain", plain_model), ("tf_cnn_branches", branches_model),
                        ("tf_cnn_fused", FusedModel)):
        tf.keras.utils.set_random_seed(1)
        write(name, build(), train_x, train_y, test_x)


if __name__ == "__main__":
    main()
