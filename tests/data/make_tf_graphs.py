#!/usr/bin/env python3
"""Writes the TensorFlow test data for graphrt's frozen-graph import.

Run by hand (never by CI or the build), from the repository root:

    python3 tests/data/make_tf_graphs.py [--data DIR]

It trains the book's MNIST classifier (the model of examples/fashion_mnist_mlp:
uint8 [?, 28, 28] -> cast, Rescaling(1/255), Flatten, Dense(100, relu),
Dense(10), softmax) for one epoch on Fashion-MNIST with TensorFlow, freezes it
(variables become constants) and writes, next to this script:

    tf_mlp_frozen.pb     binary GraphDef, input "images", output "probabilities"
    tf_mlp_images.npy    uint8 [16, 28, 28]: the first 16 test images
    tf_mlp_probs.npy     float32 [16, 10]: TensorFlow's output for them
    tf_mlp_ops.txt       the ops the frozen graph holds, one per line

Needs tensorflow-cpu and numpy (pip) and Debian's dataset-fashion-mnist.
"""
import argparse
import gzip
import os

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import tensorflow as tf  # noqa: E402
from tensorflow.python.framework.convert_to_constants import (  # noqa: E402
    convert_variables_to_constants_v2,
)

HERE = os.path.dirname(os.path.abspath(__file__))


def read_idx(path):
    """An IDX file (gzip): big-endian header, dims, then uint8 data."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(dims)


def build_model():
    images = tf.keras.Input((28, 28), dtype=tf.uint8, name="images")
    x = tf.keras.layers.Lambda(lambda t: tf.cast(t, tf.float32))(images)
    x = tf.keras.layers.Rescaling(1.0 / 255)(x)
    x = tf.keras.layers.Flatten()(x)
    x = tf.keras.layers.Dense(100, activation="relu")(x)
    logits = tf.keras.layers.Dense(10)(x)
    probs = tf.keras.layers.Softmax(name="probabilities")(logits)
    return tf.keras.Model(images, probs)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    args = parser.parse_args()
    tf.keras.utils.set_random_seed(1)
    train_x = read_idx(os.path.join(args.data, "train-images-idx3-ubyte.gz"))
    train_y = read_idx(os.path.join(args.data, "train-labels-idx1-ubyte.gz"))
    test_x = read_idx(os.path.join(args.data, "t10k-images-idx3-ubyte.gz"))

    model = build_model()
    model.compile(optimizer=tf.keras.optimizers.SGD(0.01),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(train_x, train_y.astype(np.int64), batch_size=32, epochs=1, verbose=2)

    @tf.function(input_signature=[tf.TensorSpec([None, 28, 28], tf.uint8, name="images")])
    def serve(images):
        return {"probabilities": model(images, training=False)}

    frozen = convert_variables_to_constants_v2(serve.get_concrete_function())
    graph_def = frozen.graph.as_graph_def()
    # The output node: name it so a reader need not guess Keras' naming.
    out_name = frozen.outputs[0].name.split(":")[0]
    node = graph_def.node.add()
    node.name = "probabilities"
    node.op = "Identity"
    node.input.append(frozen.outputs[0].name if not frozen.outputs[0].name.endswith(":0")
                      else out_name)
    node.attr["T"].type = tf.float32.as_datatype_enum

    images = test_x[:16]
    probs = frozen(tf.constant(images))
    probs = (probs[0] if isinstance(probs, (list, tuple)) else probs).numpy()
    np.testing.assert_allclose(probs, model(images, training=False).numpy(), rtol=1e-6)

    with open(os.path.join(HERE, "tf_mlp_frozen.pb"), "wb") as f:
        f.write(graph_def.SerializeToString())
    np.save(os.path.join(HERE, "tf_mlp_images.npy"), images)
    np.save(os.path.join(HERE, "tf_mlp_probs.npy"), probs.astype(np.float32))
    with open(os.path.join(HERE, "tf_mlp_ops.txt"), "w") as f:
        f.write("".join(sorted({f"{n.op}\n" for n in graph_def.node})))
    print("input 'images' uint8 [?, 28, 28]; output 'probabilities' float32 [?, 10]")
    print("ops:", ", ".join(sorted({n.op for n in graph_def.node})))


if __name__ == "__main__":
    main()
