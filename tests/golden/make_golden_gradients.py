#!/usr/bin/python3
"""Writes tests/golden/gradients.safetensors: gradients computed by PyTorch autograd in float64
from float32 weights and inputs, for every layer option combination the forward suite covers
(make_golden_layers.py) at 5 steps and a set of them at 64, the three cells, Linear, Embedding
with padding_idx, the activations, and the losses (cross-entropy with ignore_index,
label_smoothing, weight and each reduction; MSE).

Each case computes L = sum(output * gOut) (+ sum(hN * gH) + sum(cN * gC)) with random gOut, gH,
gC, so its gradients are exactly what backward(gradOutput, gradState) must return. Case i's
tensors are "case{i}.{name}": the float32 weights and inputs, the gradients given ("gOut",
"gH", "gC"), and the expected gradients ("grad.{parameter}", "grad.x", "grad.h0", "grad.c0"),
float64 results rounded to float32. The options are JSON in the metadata entry "cases".
    /usr/bin/python3 tests/golden/make_golden_gradients.py
"""
import itertools
import json
import pathlib
import sys

import torch
import torch.nn.functional as F
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent / "python"))
from rnn_wasm import save_file  # noqa: E402

INPUT, HIDDEN, PROJ, BATCH = 3, 4, 2, 3
LENGTHS = {5: [3, 5, 1], 64: [40, 64, 1]}  # unsorted, one full, one of a single step


def float32_then_64(module):
    """The module's float32 initial weights, held in float64 for autograd."""
    return module.double()


def grads_of(tensors):
    return {name: t.grad.detach() for name, t in tensors.items() if t.grad is not None}


def make_layer(mode, layers, bidirectional, batch_first, bias, proj):
    common = dict(num_layers=layers, bias=bias, batch_first=batch_first, bidirectional=bidirectional)
    if mode.startswith("rnn"):
        return torch.nn.RNN(INPUT, HIDDEN, nonlinearity=mode[4:], **common)
    if mode == "gru":
        return torch.nn.GRU(INPUT, HIDDEN, **common)
    return torch.nn.LSTM(INPUT, HIDDEN, proj_size=proj, **common)


class Golden:
    def __init__(self):
        self.cases, self.tensors = [], {}

    def add(self, options, tensors):
        index = len(self.cases)
        self.cases.append(options)
        for name, t in tensors.items():
            self.tensors[f"case{index}.{name}"] = t.detach().to(torch.float32).contiguous()

    def layer(self, mode, layers, bidirectional, batch_first, bias, proj, lengths, given, batched, steps):
        torch.manual_seed(len(self.cases))
        layer = make_layer(mode, layers, bidirectional, batch_first, bias, proj)
        weights = {name: p.detach().clone() for name, p in layer.named_parameters()}
        layer = float32_then_64(layer)
        d = 2 if bidirectional else 1
        if batched:
            x = torch.randn((BATCH, steps, INPUT) if batch_first else (steps, BATCH, INPUT))
            h_shape, c_shape = (d * layers, BATCH, proj or HIDDEN), (d * layers, BATCH, HIDDEN)
        else:
            x = torch.randn(steps, INPUT)
            h_shape, c_shape = (d * layers, proj or HIDDEN), (d * layers, HIDDEN)
        h0, c0 = torch.randn(h_shape), torch.randn(c_shape)
        inputs = {"x": x.double().requires_grad_()}
        if given:
            inputs["h0"] = h0.double().requires_grad_()
            if mode == "lstm":
                inputs["c0"] = c0.double().requires_grad_()
        state = None
        if given:
            state = (inputs["h0"], inputs["c0"]) if mode == "lstm" else inputs["h0"]
        if lengths is None:
            output, final = layer(inputs["x"], state)
        else:
            packed = pack_padded_sequence(inputs["x"], torch.tensor(lengths), batch_first=batch_first, enforce_sorted=False)
            output, final = layer(packed, state)
            output, _ = pad_packed_sequence(output, batch_first=batch_first, total_length=steps)
        h_n, c_n = final if mode == "lstm" else (final, None)
        g_out, g_h = torch.randn(output.shape), torch.randn(h_n.shape)
        loss = (output * g_out.double()).sum() + (h_n * g_h.double()).sum()
        out = {"gOut": g_out, "gH": g_h}
        if c_n is not None:
            out["gC"] = torch.randn(c_n.shape)
            loss = loss + (c_n * out["gC"].double()).sum()
        loss.backward()
        out.update(weights)
        out.update({name: t for name, t in inputs.items()})
        out.update({f"grad.{name}": p.grad for name, p in layer.named_parameters()})
        out.update({f"grad.{name}": t.grad for name, t in inputs.items()})
        self.add({"kind": "layer", "mode": mode, "numLayers": layers, "bidirectional": bidirectional, "batchFirst": batch_first,
                  "bias": bias, "projSize": proj, "lengths": lengths, "state": "given" if given else "zeros", "batched": batched,
                  "inputSize": INPUT, "hiddenSize": HIDDEN, "steps": steps}, out)

    def cell(self, mode, bias, batch, given, n_in=5, n_hidden=7):
        torch.manual_seed(len(self.cases))
        if mode.startswith("rnn"):
            cell = torch.nn.RNNCell(n_in, n_hidden, bias=bias, nonlinearity=mode[4:])
        elif mode == "gru":
            cell = torch.nn.GRUCell(n_in, n_hidden, bias=bias)
        else:
            cell = torch.nn.LSTMCell(n_in, n_hidden, bias=bias)
        weights = {name: p.detach().clone() for name, p in cell.named_parameters()}
        cell = float32_then_64(cell)
        x_shape = (n_in,) if batch is None else (batch, n_in)
        h_shape = (n_hidden,) if batch is None else (batch, n_hidden)
        inputs = {"x": torch.randn(x_shape).double().requires_grad_()}
        if given:
            inputs["h0"] = torch.randn(h_shape).double().requires_grad_()
            if mode == "lstm":
                inputs["c0"] = torch.randn(h_shape).double().requires_grad_()
        out = {"gH": torch.randn(h_shape)}
        if mode == "lstm":
            h1, c1 = cell(inputs["x"], (inputs["h0"], inputs["c0"]) if given else None)
            out["gC"] = torch.randn(h_shape)
            loss = (h1 * out["gH"].double()).sum() + (c1 * out["gC"].double()).sum()
        else:
            h1 = cell(inputs["x"], inputs["h0"] if given else None)
            loss = (h1 * out["gH"].double()).sum()
        loss.backward()
        out.update(weights)
        out.update(inputs)
        out.update({f"grad.{name}": p.grad for name, p in cell.named_parameters()})
        out.update({f"grad.{name}": t.grad for name, t in inputs.items()})
        self.add({"kind": "cell", "mode": mode, "bias": bias, "batch": batch, "state": "given" if given else "zeros",
                  "inputSize": n_in, "hiddenSize": n_hidden}, out)

    def linear(self, bias, x_shape):
        torch.manual_seed(len(self.cases))
        linear = torch.nn.Linear(x_shape[-1], 5, bias=bias)
        weights = {name: p.detach().clone() for name, p in linear.named_parameters()}
        linear = float32_then_64(linear)
        x = torch.randn(x_shape).double().requires_grad_()
        y = linear(x)
        g = torch.randn(y.shape)
        (y * g.double()).sum().backward()
        out = {"x": x, "gOut": g, **weights, "grad.x": x.grad}
        out.update({f"grad.{name}": p.grad for name, p in linear.named_parameters()})
        self.add({"kind": "linear", "bias": bias, "inFeatures": x_shape[-1], "outFeatures": 5}, out)

    def embedding(self, padding_idx, ids):
        torch.manual_seed(len(self.cases))
        emb = torch.nn.Embedding(11, 4, padding_idx=padding_idx)
        weight = emb.weight.detach().clone()
        emb = float32_then_64(emb)
        y = emb(torch.tensor(ids))
        g = torch.randn(y.shape)
        (y * g.double()).sum().backward()
        self.add({"kind": "embedding", "paddingIdx": padding_idx, "ids": ids, "numEmbeddings": 11, "embeddingDim": 4},
                 {"weight": weight, "gOut": g, "grad.weight": emb.weight.grad})

    def activation(self, name):
        torch.manual_seed(len(self.cases))
        x = torch.randn(3, 7) * 3
        x[0, :3] = torch.tensor([0.0, -0.0, 1e-30])
        xd = x.double().requires_grad_()
        y = {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid}[name](xd)
        g = torch.randn(y.shape)
        (y * g.double()).sum().backward()
        self.add({"kind": "activation", "activation": name}, {"x": x, "gOut": g, "grad.x": xd.grad})

    def cross_entropy(self, reduction, ignore_index, smoothing, weighted, n=6, c=5):
        torch.manual_seed(len(self.cases))
        logits = (torch.randn(n, c) * 2).double().requires_grad_()
        targets = torch.randint(0, c, (n,))
        if ignore_index is not None:
            targets[1] = ignore_index
            targets[4] = ignore_index
        weight = torch.rand(c) + 0.5 if weighted else None
        kwargs = dict(reduction=reduction, label_smoothing=smoothing, weight=weight.double() if weighted else None)
        if ignore_index is not None:
            kwargs["ignore_index"] = ignore_index
        loss = F.cross_entropy(logits, targets, **kwargs)
        g = torch.ones(loss.shape)  # 'none': the gradient of the summed losses
        (loss * g.double()).sum().backward()
        out = {"logits": logits, "targets": targets.double(), "loss": loss.reshape(-1), "grad.x": logits.grad}
        if weighted:
            out["weight"] = weight
        self.add({"kind": "crossEntropy", "reduction": reduction, "ignoreIndex": ignore_index, "labelSmoothing": smoothing,
                  "weighted": weighted}, out)

    def mse(self, reduction):
        torch.manual_seed(len(self.cases))
        x, y = torch.randn(4, 3).double().requires_grad_(), torch.randn(4, 3)
        loss = F.mse_loss(x, y.double(), reduction=reduction)
        loss.sum().backward()
        self.add({"kind": "mse", "reduction": reduction}, {"x": x, "target": y, "loss": loss.reshape(-1), "grad.x": x.grad})


def main():
    golden = Golden()
    modes = ["rnn_tanh", "rnn_relu", "gru", "lstm"]
    # Every option combination of the forward suite, at 5 steps.
    for mode, layers, bidirectional, batch_first, bias, proj, lengths in itertools.product(
        modes, [1, 2, 3], [False, True], [False, True], [True, False], [0, PROJ], [False, True]
    ):
        if proj and mode != "lstm":
            continue
        given = len(golden.cases) % 2 == 1
        golden.layer(mode, layers, bidirectional, batch_first, bias, proj, LENGTHS[5] if lengths else None, given, True, 5)
    for mode, layers, bidirectional, given in itertools.product(modes, [1, 2], [False, True], [False, True]):
        golden.layer(mode, layers, bidirectional, False, True, 0, None, given, False, 5)
    # 64 steps: each mode, stacked, both directions, with and without lengths and projection.
    for mode, bidirectional, lengths in itertools.product(modes, [False, True], [False, True]):
        golden.layer(mode, 2, bidirectional, True, True, PROJ if mode == "lstm" and lengths else 0,
                     LENGTHS[64] if lengths else None, True, True, 64)
    for mode, bias, batch, given in itertools.product(modes, [True, False], [None, 1, 3], [False, True]):
        golden.cell(mode, bias, batch, given)
    for mode in modes:  # full SIMD blocks and tails
        golden.cell(mode, True, 4, True, n_in=33, n_hidden=20)
    for bias, x_shape in itertools.product([True, False], [(3,), (4, 6), (2, 3, 6)]):
        golden.linear(bias, x_shape)
    golden.embedding(None, [3, 1, 3, 10, 0])
    golden.embedding(3, [3, 1, 3, 10, 0, 3])
    golden.embedding(-1, [10, 2, 10])
    for name in ["relu", "tanh", "sigmoid"]:
        golden.activation(name)
    for reduction, ignore_index, smoothing, weighted in itertools.product(["mean", "sum", "none"], [None, 2, -100], [0.0, 0.1], [False, True]):
        golden.cross_entropy(reduction, ignore_index, smoothing, weighted)
    for reduction in ["mean", "sum", "none"]:
        golden.mse(reduction)
    out = HERE / "gradients.safetensors"
    save_file(golden.tensors, out, metadata={"cases": json.dumps(golden.cases), "torch": torch.__version__,
                                             "generator": "tests/golden/make_golden_gradients.py"})
    print(f"wrote {out.relative_to(HERE.parent.parent)}: {len(golden.cases)} cases, {out.stat().st_size} bytes")


if __name__ == "__main__":
    main()
