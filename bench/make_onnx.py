#!/usr/bin/python3
"""Writes the ONNX models the benchmark runs in ONNX Runtime Web, from the same weights as
rnn-wasm (PyTorch layout, in a .safetensors file the benchmark wrote).

    /usr/bin/python3 bench/make_onnx.py <folder>

Reads <folder>/<name>.safetensors for name in lstm1, gru1, lstm2 and writes <folder>/<name>.onnx.
Needs only Debian's python3-onnx (and numpy). PyTorch's gate blocks are reordered to ONNX's:
LSTM i,f,g,o -> i,o,f,c; GRU r,z,n -> z,r,h with linear_before_reset=1 (PyTorch's GRU).
"""
import json
import pathlib
import struct
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

LSTM_ORDER = [0, 3, 1, 2]  # ONNX block k takes PyTorch block LSTM_ORDER[k]
GRU_ORDER = [1, 0, 2]


def load_safetensors(path):
    raw = pathlib.Path(path).read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    header.pop("__metadata__", None)
    data = raw[8 + n :]
    out = {}
    for name, info in header.items():
        assert info["dtype"] == "F32", info
        begin, end = info["data_offsets"]
        out[name] = np.frombuffer(data[begin:end], dtype="<f4").reshape(info["shape"])
    return out


def reorder(w, order):
    blocks = np.split(w, len(order), axis=0)
    return np.concatenate([blocks[k] for k in order], axis=0)


def rnn_node(op, sd, layer, x, state_inputs, outputs, hidden):
    """One ONNX LSTM/GRU node for layer `layer` of a PyTorch state dict."""
    order = LSTM_ORDER if op == "LSTM" else GRU_ORDER
    w = reorder(sd[f"weight_ih_l{layer}"], order)[None]
    r = reorder(sd[f"weight_hh_l{layer}"], order)[None]
    b = np.concatenate([reorder(sd[f"bias_ih_l{layer}"], order), reorder(sd[f"bias_hh_l{layer}"], order)])[None]
    names = [f"W{layer}", f"R{layer}", f"B{layer}"]
    inits = [numpy_helper.from_array(a.astype(np.float32), n) for a, n in zip([w, r, b], names)]
    attrs = {"hidden_size": hidden}
    if op == "GRU":
        attrs["linear_before_reset"] = 1
    node = helper.make_node(op, [x, *names, "", *state_inputs], outputs, **attrs)
    return node, inits


def single_layer(op, sd, hidden, path):
    """x (T, B, I) -> y (T, 1, B, H), h (1, B, H): zero initial state."""
    node, inits = rnn_node(op, sd, 0, "x", [], ["y", "h"], hidden)
    inp = sd["weight_ih_l0"].shape[1]
    graph = helper.make_graph(
        [node], op.lower(),
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["T", "B", inp])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["T", 1, "B", hidden]),
         helper.make_tensor_value_info("h", TensorProto.FLOAT, [1, "B", hidden])],
        inits)
    save(graph, path)


def two_layer_lstm(sd, hidden, path):
    """x (T, B, I), h0/c0 per layer (1, B, H) -> y (T, B, H), hN/cN per layer."""
    n0, i0 = rnn_node("LSTM", sd, 0, "x", ["h0_l0", "c0_l0"], ["y0", "h_l0", "c_l0"], hidden)
    squeeze = helper.make_node("Squeeze", ["y0", "axis1"], ["x1"])
    n1, i1 = rnn_node("LSTM", sd, 1, "x1", ["h0_l1", "c0_l1"], ["y1", "h_l1", "c_l1"], hidden)
    squeeze_out = helper.make_node("Squeeze", ["y1", "axis1"], ["y"])
    inp = sd["weight_ih_l0"].shape[1]
    state = lambda name: helper.make_tensor_value_info(name, TensorProto.FLOAT, [1, "B", hidden])
    graph = helper.make_graph(
        [n0, squeeze, n1, squeeze_out], "lstm2",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["T", "B", inp]),
         state("h0_l0"), state("c0_l0"), state("h0_l1"), state("c0_l1")],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["T", "B", hidden]),
         state("h_l0"), state("c_l0"), state("h_l1"), state("c_l1")],
        [*i0, *i1, numpy_helper.from_array(np.array([1], dtype=np.int64), "axis1")])
    save(graph, path)


def save(graph, path):
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)])
    model.ir_version = 7
    onnx.checker.check_model(model)
    onnx.save(model, str(path))


def main():
    folder = pathlib.Path(sys.argv[1])
    lstm1, gru1, lstm2 = (load_safetensors(folder / f"{n}.safetensors") for n in ("lstm1", "gru1", "lstm2"))
    single_layer("LSTM", lstm1, lstm1["weight_hh_l0"].shape[1], folder / "lstm1.onnx")
    single_layer("GRU", gru1, gru1["weight_hh_l0"].shape[1], folder / "gru1.onnx")
    two_layer_lstm(lstm2, lstm2["weight_hh_l0"].shape[1], folder / "lstm2.onnx")


if __name__ == "__main__":
    main()
