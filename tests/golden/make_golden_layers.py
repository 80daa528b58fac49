#!/usr/bin/python3
"""Writes tests/golden/layers.safetensors: RNN, GRU and LSTM layers computed by PyTorch.

Every combination of mode (RNN tanh, RNN relu, GRU, LSTM) x numLayers 1..3 x bidirectional x
batchFirst x bias x (LSTM) projSize x lengths (none, unsorted mixed), initial states given and
absent in turn; unbatched cases; and a 2000-step sequence per mode. Case i's tensors are named
"case{i}.{weight name}", "case{i}.x", ".h0", ".c0", ".output", ".hN", ".cN"; the cases'
options are JSON in the metadata entry "cases". Run with Debian's PyTorch:
    /usr/bin/python3 tests/golden/make_golden_layers.py
"""
import itertools
import json
import pathlib
import sys

import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent / "python"))
from rnn_wasm import save_file  # noqa: E402

INPUT, HIDDEN, PROJ, STEPS, BATCH = 3, 4, 2, 5, 3
LENGTHS = [3, 5, 1]  # unsorted, one full, one of a single step


def make_layer(mode, layers, bidirectional, batch_first, bias, proj, input_size=INPUT, hidden=HIDDEN):
    common = dict(num_layers=layers, bias=bias, batch_first=batch_first, bidirectional=bidirectional)
    if mode.startswith("rnn"):
        return torch.nn.RNN(input_size, hidden, nonlinearity=mode[4:], **common)
    if mode == "gru":
        return torch.nn.GRU(input_size, hidden, **common)
    return torch.nn.LSTM(input_size, hidden, proj_size=proj, **common)


def run(layer, x, state, lengths, batch_first):
    """PyTorch's forward; with lengths through pack_padded_sequence (enforce_sorted=False)."""
    with torch.no_grad():
        if lengths is None:
            return layer(x, state)
        packed = pack_padded_sequence(x, torch.tensor(lengths), batch_first=batch_first, enforce_sorted=False)
        output, final = layer(packed, state)
        output, _ = pad_packed_sequence(output, batch_first=batch_first, total_length=x.shape[1 if batch_first else 0])
        return output, final


def case_tensors(index, mode, layer, x, state, output, final):
    out = {f"case{index}.{name}": value for name, value in layer.state_dict().items()}
    out[f"case{index}.x"] = x
    out[f"case{index}.output"] = output
    if mode == "lstm":
        out[f"case{index}.hN"], out[f"case{index}.cN"] = final
        if state is not None:
            out[f"case{index}.h0"], out[f"case{index}.c0"] = state
    else:
        out[f"case{index}.hN"] = final
        if state is not None:
            out[f"case{index}.h0"] = state
    return out


def add_case(cases, tensors, mode, layers, bidirectional, batch_first, bias, proj, lengths, given, batched,
             steps=STEPS, batch=BATCH, input_size=INPUT, hidden=HIDDEN):
    index = len(cases)
    torch.manual_seed(index)
    layer = make_layer(mode, layers, bidirectional, batch_first, bias, proj, input_size, hidden)
    d = 2 if bidirectional else 1
    if batched:
        x = torch.randn((batch, steps, input_size) if batch_first else (steps, batch, input_size))
        h_shape, c_shape = (d * layers, batch, proj or hidden), (d * layers, batch, hidden)
    else:
        x = torch.randn(steps, input_size)
        h_shape, c_shape = (d * layers, proj or hidden), (d * layers, hidden)
    state = None
    if given:
        state = (torch.randn(h_shape), torch.randn(c_shape)) if mode == "lstm" else torch.randn(h_shape)
    output, final = run(layer, x, state, lengths, batch_first)
    tensors.update(case_tensors(index, mode, layer, x, state, output, final))
    cases.append({
        "mode": mode, "numLayers": layers, "bidirectional": bidirectional, "batchFirst": batch_first, "bias": bias,
        "projSize": proj, "lengths": lengths, "state": "given" if given else "zeros", "batched": batched,
        "inputSize": input_size, "hiddenSize": hidden, "steps": steps,
    })


def main():
    cases, tensors = [], {}
    modes = ["rnn_tanh", "rnn_relu", "gru", "lstm"]
    for mode, layers, bidirectional, batch_first, bias, proj, lengths in itertools.product(
        modes, [1, 2, 3], [False, True], [False, True], [True, False], [0, PROJ], [None, LENGTHS]
    ):
        if proj and mode != "lstm":
            continue
        given = len(cases) % 2 == 1
        add_case(cases, tensors, mode, layers, bidirectional, batch_first, bias, proj, lengths, given, True)
    for mode, layers, bidirectional, given in itertools.product(modes, [1, 2], [False, True], [False, True]):
        add_case(cases, tensors, mode, layers, bidirectional, False, True, 0, None, given, False)
    add_case(cases, tensors, "lstm", 2, True, False, True, PROJ, None, True, False)
    for mode in modes:  # long sequences: finite and within tolerance after 2000 steps
        add_case(cases, tensors, mode, 1, False, True, True, 0, [2000, 1500], True, True, steps=2000, batch=2, hidden=8)
    out = HERE / "layers.safetensors"
    save_file(tensors, out, metadata={"cases": json.dumps(cases), "torch": torch.__version__,
                                      "generator": "tests/golden/make_golden_layers.py"})
    print(f"wrote {out.relative_to(HERE.parent.parent)}: {len(cases)} cases, {out.stat().st_size} bytes")


if __name__ == "__main__":
    main()
