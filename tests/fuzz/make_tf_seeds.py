#!/usr/bin/env python3
"""Writes small TensorFlow GraphDefs as seeds for tf_graph_fuzzer.

Run by hand (tensorflow-cpu from pip): python3 tests/fuzz/make_tf_seeds.py
Each seed is a binary GraphDef of a few nodes, using the ops the importer
maps and the Shape/StridedSlice/Pack expressions it folds.
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import tensorflow as tf  # noqa: E402
from tensorflow.python.framework.convert_to_constants import (  # noqa: E402
    convert_variables_to_constants_v2,
)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "seeds", "tf_graph_fuzzer")


def save(name, fn, *specs):
    graph = convert_variables_to_constants_v2(
        tf.function(fn, input_signature=list(specs)).get_concrete_function()).graph
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(graph.as_graph_def().SerializeToString())


def main():
    os.makedirs(OUT, exist_ok=True)
    tf.random.set_seed(1)
    w = tf.Variable(tf.random.normal([4, 3]))
    b = tf.Variable(tf.zeros([3]))
    save("dense_softmax", lambda x: tf.nn.softmax(tf.nn.relu(x @ w + b)),
         tf.TensorSpec([None, 4], tf.float32))
    save("flatten", lambda x: tf.reshape(x, [tf.shape(x)[0], -1]),
         tf.TensorSpec([None, 2, 2], tf.float32))
    save("reduce_argmax", lambda x: (tf.reduce_mean(tf.exp(x), axis=1, keepdims=True),
                                     tf.argmax(x, axis=-1)),
         tf.TensorSpec([None, 3], tf.float32))
    save("cast_scale", lambda x: tf.expand_dims(tf.cast(x, tf.float32) * (1 / 255.0) - 0.5, 0),
         tf.TensorSpec([2, 2], tf.uint8))
    save("xent", lambda logits, labels: tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=labels, logits=logits), tf.TensorSpec([None, 3], tf.float32),
        tf.TensorSpec([None], tf.int32))


if __name__ == "__main__":
    main()
