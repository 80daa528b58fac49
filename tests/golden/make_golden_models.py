#!/usr/bin/python3
"""Writes tests/golden/models/: small TextClassifier and LanguageModel twins (python/rnn_wasm/
models.py) exported with rnn_wasm.models.export, and expected.json with what PyTorch computes
from them: class probabilities for a batch of texts of different lengths, per-token traces
(the prediction for every prefix), next-token logits, and a greedy continuation. Each model also
has an int8 twin, "<name>_int8", exported with dtype="int8" and its expectations computed by
PyTorch on the dequantized weights W' (python/rnn_wasm/int8.py), what rnn-wasm's int8 modules
compute with.
    /usr/bin/python3 tests/golden/make_golden_models.py
"""
import copy
import json
import pathlib
import sys

import torch

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent / "python"))
from rnn_wasm.int8 import dequantized_state_dict  # noqa: E402
from rnn_wasm.models import LanguageModel, Seq2Seq, Sequential, SequenceGenerator, TextClassifier, decode, export  # noqa: E402

OUT = HERE / "models"
VOCAB = 23
TEXTS = [[5, 3, 9, 12, 1], [7], [2, 22, 4, 4], [11, 6, 8, 19, 20, 21, 3]]

CLASSIFIERS = {
    "classifier_lstm_last": dict(cell="lstm", pooling="last"),
    "classifier_gru_bi_mean": dict(cell="gru", bidirectional=True, pooling="mean", head=[5], activation="tanh"),
    "classifier_rnn_2layers_max": dict(cell="rnn", num_layers=2, pooling="max", head=[6, 4], activation="relu"),
    "classifier_lstm_bi_2layers_last": dict(cell="lstm", num_layers=2, bidirectional=True, pooling="last", num_classes=3),
}
LANGUAGE_MODELS = {
    "lm_lstm_2layers": dict(cell="lstm", num_layers=2, embedding_dim=6, hidden_size=8),
    "lm_gru_tied": dict(cell="gru", num_layers=1, embedding_dim=8, hidden_size=8, tie_weights=True),
}


def probabilities(model, texts):
    lengths = torch.tensor([len(t) for t in texts])
    ids = torch.zeros(len(texts), max(lengths), dtype=torch.long)
    for b, t in enumerate(texts):
        ids[b, : len(t)] = torch.tensor(t)
    with torch.no_grad():
        return torch.softmax(model(ids, lengths), dim=-1)


def classifier_expectations(model):
    traces = [[probabilities(model, [t[: k + 1]])[0].tolist() for k in range(len(t))] for t in TEXTS]
    return {"kind": "TextClassifier", "probabilities": probabilities(model, TEXTS).tolist(), "traces": traces}


def language_model_expectations(model, prompt):
    with torch.no_grad():
        logits, state = model(torch.tensor([prompt]))
        greedy = []
        last = logits[0, -1]
        for _ in range(8):
            token = int(last.argmax())
            greedy.append(token)
            step, state = model(torch.tensor([[token]]), state)
            last = step[0, -1]
    return {"kind": "LanguageModel", "prompt": prompt, "logits": logits[0].tolist(), "greedy": greedy}


def decoded(model, initial, options):
    with torch.no_grad():
        ids, score = decode(model, initial, 10, 1, 2, **options)
    return {"beamSize": options["beam_size"], "lengthPenalty": options["length_penalty"], "ids": ids, "score": score}


def with_twin(expected, model, name, expectations):
    """expected[name] from the model; then its int8 twin: <name>_int8.safetensors written with
    dtype="int8", and its expectations from PyTorch on the dequantized weights."""
    expected["models"][name] = expectations(model)
    twin = copy.deepcopy(model)
    export(twin, OUT / f"{name}_int8.safetensors", dtype="int8")
    twin.load_state_dict(dequantized_state_dict(twin.state_dict()))
    expected["models"][f"{name}_int8"] = expectations(twin)


def main():
    OUT.mkdir(exist_ok=True)
    expected = {"torch": torch.__version__, "texts": TEXTS, "models": {}}
    for i, (name, options) in enumerate(CLASSIFIERS.items()):
        torch.manual_seed(100 + i)
        options = {**dict(vocab_size=VOCAB, embedding_dim=6, hidden_size=7, num_classes=2), **options}
        model = TextClassifier(**options).eval()
        export(model, OUT / f"{name}.safetensors")
        with_twin(expected, model, name, classifier_expectations)
    prompt = [3, 14, 15, 9]
    for i, (name, options) in enumerate(LANGUAGE_MODELS.items()):
        torch.manual_seed(200 + i)
        model = LanguageModel(vocab_size=VOCAB, **options).eval()
        export(model, OUT / f"{name}.safetensors", dtype=torch.float16 if "tied" in name else None)
        if "tied" in name:  # the file holds float16: compute the reference from those values
            model.load_state_dict({k: v.half().float() for k, v in model.state_dict().items()})
        with_twin(expected, model, name, lambda m: language_model_expectations(m, prompt))
    decodes = [dict(beam_size=1, length_penalty=1.0), dict(beam_size=3, length_penalty=1.0), dict(beam_size=4, length_penalty=0.6)]
    sources = [[3, 4, 5, 6], [7, 8], [9, 10, 11, 12, 13, 3]]
    for i, cell in enumerate(["lstm", "gru"]):
        torch.manual_seed(300 + i)
        model = Seq2Seq(19, 17, 6, 8, cell=cell, num_layers=2 if cell == "lstm" else 1).eval()
        with torch.no_grad():
            model.output.weight *= 4  # peaked distributions: decodes of varied length, beams that differ
        name = f"seq2seq_{cell}"
        export(model, OUT / f"{name}.safetensors")
        with_twin(expected, model, name, lambda m: {"kind": "Seq2Seq", "decodes": [
            {"src": src, **decoded(m, m.encode(torch.tensor([src])), d)} for src in sources for d in decodes]})
    for i, cell in enumerate(["lstm", "gru"]):
        torch.manual_seed(400 + i)
        model = SequenceGenerator(5, 17, 6, 8, cell=cell, num_layers=2).eval()
        with torch.no_grad():
            model.output.weight *= 4
        name = f"generator_{cell}"
        export(model, OUT / f"{name}.safetensors")
        features = [[0.5, -1.0, 2.0, 0.0, 1.0], [-0.3, 0.8, 0.1, -2.0, 0.4]]
        with_twin(expected, model, name, lambda m: {"kind": "SequenceGenerator", "decodes": [
            {"features": f, **decoded(m, m.encode(torch.tensor(f)), d)} for f in features for d in decodes]})
    torch.manual_seed(500)
    mlp = Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3), torch.nn.Tanh()).eval()
    export(mlp, OUT / "sequential.safetensors")
    x = torch.randn(2, 4)
    with torch.no_grad():
        with_twin(expected, mlp, "sequential", lambda m: {"kind": "Sequential", "x": x.tolist(), "y": m(x).tolist()})
    (OUT / "expected.json").write_text(json.dumps(expected) + "\n")
    print(f"wrote {len(expected['models'])} models to {OUT.relative_to(HERE.parent.parent)}")


if __name__ == "__main__":
    main()
