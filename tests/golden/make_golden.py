#!/usr/bin/python3
"""Writes the golden vectors the Jest suite checks rnn-wasm against, computed by PyTorch.

Run with Debian's PyTorch (python3-torch, for /usr/bin/python3):
    /usr/bin/python3 tests/golden/make_golden.py
Fixed seeds: the output changes only when this script or PyTorch changes. The fixtures are
committed so the tests need no PyTorch; never edit them by hand.
"""
import itertools
import json
import pathlib

import torch

HERE = pathlib.Path(__file__).resolve().parent


def tensor(t):
    """{shape, data} with float32 values written to 9 significant digits (exact round trip)."""
    t = t.detach().to(torch.float32).contiguous()
    return {"shape": list(t.shape), "data": [float("%.9g" % v) for v in t.reshape(-1).tolist()]}


def state_dict(module):
    return {name: tensor(value) for name, value in module.state_dict().items()}


def cell_cases():
    cases = []
    kinds = ["rnn_tanh", "rnn_relu", "gru", "lstm"]
    # (input, hidden): small odd sizes exercise kernel tails; 33 x 20 exercises full SIMD blocks.
    for kind, bias, batch, given, (n_in, n_hidden) in itertools.product(
        kinds, [True, False], [None, 1, 3], [False, True], [(5, 7), (33, 20)]
    ):
        if (n_in, n_hidden) == (33, 20) and not (bias and given):
            continue
        torch.manual_seed(len(cases))
        if kind.startswith("rnn"):
            cell = torch.nn.RNNCell(n_in, n_hidden, bias=bias, nonlinearity=kind[4:])
        elif kind == "gru":
            cell = torch.nn.GRUCell(n_in, n_hidden, bias=bias)
        else:
            cell = torch.nn.LSTMCell(n_in, n_hidden, bias=bias)
        x_shape = (n_in,) if batch is None else (batch, n_in)
        h_shape = (n_hidden,) if batch is None else (batch, n_hidden)
        x = torch.randn(x_shape)
        case = {
            "name": f"{kind} bias={str(bias).lower()} batch={batch or 'unbatched'} state={'given' if given else 'zeros'} {n_in}x{n_hidden}",
            "kind": kind,
            "inputSize": n_in,
            "hiddenSize": n_hidden,
            "bias": bias,
            "stateDict": state_dict(cell),
            "x": tensor(x),
        }
        with torch.no_grad():
            if kind == "lstm":
                h0, c0 = torch.randn(h_shape), torch.randn(h_shape)
                h1, c1 = cell(x, (h0, c0)) if given else cell(x)
                case.update(h1=tensor(h1), c1=tensor(c1))
                if given:
                    case.update(h0=tensor(h0), c0=tensor(c0))
            else:
                h0 = torch.randn(h_shape)
                h1 = cell(x, h0) if given else cell(x)
                case.update(h1=tensor(h1))
                if given:
                    case.update(h0=tensor(h0))
        cases.append(case)
    return cases


def linear_cases():
    cases = []
    for bias, x_shape in itertools.product([True, False], [(6,), (3, 6), (2, 4, 6)]):
        torch.manual_seed(100 + len(cases))
        lin = torch.nn.Linear(6, 5, bias=bias)
        x = torch.randn(x_shape)
        with torch.no_grad():
            y = lin(x)
        cases.append({"name": f"bias={str(bias).lower()} x={list(x_shape)}", "inFeatures": 6, "outFeatures": 5, "bias": bias,
                      "stateDict": state_dict(lin), "x": tensor(x), "y": tensor(y)})
    return cases


def embedding_cases():
    cases = []
    for padding_idx in [None, 0, -1]:
        torch.manual_seed(200 + len(cases))
        emb = torch.nn.Embedding(11, 4, padding_idx=padding_idx)
        ids = torch.tensor([[3, 0, 10], [10, 0, 7]])
        with torch.no_grad():
            y = emb(ids)
        cases.append({"name": f"paddingIdx={padding_idx}", "numEmbeddings": 11, "embeddingDim": 4,
                      "paddingIdx": padding_idx, "stateDict": state_dict(emb),
                      "ids": {"shape": list(ids.shape), "data": ids.reshape(-1).tolist()}, "y": tensor(y)})
    return cases


def activation_cases():
    torch.manual_seed(300)
    x = torch.cat([torch.randn(40) * 5, torch.tensor([0.0, -0.0, 1e-8, -1e-8, 30.0, -30.0, 100.0, -100.0])]).reshape(6, 8)
    return {"x": tensor(x), "sigmoid": tensor(torch.sigmoid(x)), "tanh": tensor(torch.tanh(x)),
            "relu": tensor(torch.relu(x)), "softmax": tensor(torch.softmax(x, dim=-1))}


def main():
    golden = {
        "generator": "tests/golden/make_golden.py",
        "torch": torch.__version__,
        "cells": cell_cases(),
        "linear": linear_cases(),
        "embedding": embedding_cases(),
        "activations": activation_cases(),
    }
    out = HERE / "cells.json"
    out.write_text(json.dumps(golden, separators=(",", ":")) + "\n")
    print(f"wrote {out.relative_to(HERE.parent.parent)}: {len(golden['cells'])} cell cases")


if __name__ == "__main__":
    main()
