#!/usr/bin/python3
"""Writes tests/golden/int8.safetensors: PyTorch layers run on int8-dequantized weights
(python/rnn_wasm/int8.py), for tests/js/int8.test.ts. Case i's float32 weights are
"case{i}.{name}", its q and scales "case{i}.q.{name}" (int8 as float32) and
"case{i}.scale.{name}", its input "case{i}.x" and PyTorch's results on W' "case{i}.output",
".hN", ".cN"; the options are JSON in the metadata entry "cases". Also writes
tests/golden/models/classifier_int8.safetensors (export(..., dtype="int8")) with PyTorch's
probabilities on W' as "classifier.probs{i}" for the metadata's "texts". Run with Debian's PyTorch:
    /usr/bin/python3 tests/golden/make_golden_int8.py
"""
import json
import pathlib
import sys

import torch

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent / "python"))
from rnn_wasm import save_file  # noqa: E402
from rnn_wasm.int8 import dequantized_state_dict, quantize  # noqa: E402
from rnn_wasm.models import TextClassifier, export  # noqa: E402

CASES = [
    dict(mode="rnn_tanh", hidden=40, layers=1, bidirectional=False, bias=True, proj=0, batch=1),
    dict(mode="rnn_relu", hidden=24, layers=2, bidirectional=False, bias=False, proj=0, batch=3),
    dict(mode="gru", hidden=32, layers=2, bidirectional=True, bias=True, proj=0, batch=1),
    dict(mode="gru", hidden=16, layers=1, bidirectional=False, bias=True, proj=0, batch=4),
    dict(mode="lstm", hidden=64, layers=1, bidirectional=False, bias=True, proj=0, batch=1),
    dict(mode="lstm", hidden=40, layers=2, bidirectional=True, bias=True, proj=16, batch=2),
    dict(mode="lstm", hidden=44, layers=1, bidirectional=False, bias=True, proj=0, batch=1),  # not a multiple of 8
]
INPUT, STEPS = 12, 9
TEXTS = [[3, 7, 11], [1, 2, 3, 4, 5, 6, 7, 8, 9], [42]]


def make(case):
    common = dict(num_layers=case["layers"], bias=case["bias"], bidirectional=case["bidirectional"])
    if case["mode"].startswith("rnn"):
        return torch.nn.RNN(INPUT, case["hidden"], nonlinearity=case["mode"][4:], **common)
    if case["mode"] == "gru":
        return torch.nn.GRU(INPUT, case["hidden"], **common)
    return torch.nn.LSTM(INPUT, case["hidden"], proj_size=case["proj"], **common)


def main():
    torch.manual_seed(19)
    tensors = {}
    for i, case in enumerate(CASES):
        layer = make(case)
        weights = {k: v.detach().clone() for k, v in layer.state_dict().items()}
        for name, value in weights.items():
            tensors[f"case{i}.{name}"] = value
            if name.startswith("weight"):
                q, scale = quantize(value)
                tensors[f"case{i}.q.{name}"] = q.to(torch.float32)
                tensors[f"case{i}.scale.{name}"] = scale
        layer.load_state_dict(dequantized_state_dict(weights))
        x = torch.randn(STEPS, case["batch"], INPUT)
        with torch.no_grad():
            output, final = layer(x)
        tensors[f"case{i}.x"] = x
        tensors[f"case{i}.output"] = output
        if case["mode"] == "lstm":
            tensors[f"case{i}.hN"], tensors[f"case{i}.cN"] = final
        else:
            tensors[f"case{i}.hN"] = final
    # A model file written with export(dtype="int8"), and PyTorch's probabilities for TEXTS on W'.
    classifier = TextClassifier(50, 8, 24, 3, cell="gru", bidirectional=True, pooling="mean", head=[16])
    export(classifier, str(HERE / "models" / "classifier_int8.safetensors"), dtype="int8")
    classifier.load_state_dict(dequantized_state_dict(classifier.state_dict()))
    classifier.eval()
    for i, text in enumerate(TEXTS):
        with torch.no_grad():
            logits = classifier(torch.tensor([text]), torch.tensor([len(text)]))
        tensors[f"classifier.probs{i}"] = torch.softmax(logits[0], dim=-1)
    save_file({k: v.contiguous() for k, v in tensors.items()}, str(HERE / "int8.safetensors"),
              metadata={"cases": json.dumps(CASES), "texts": json.dumps(TEXTS)})


if __name__ == "__main__":
    main()
