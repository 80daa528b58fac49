#!/usr/bin/python3
"""Writes tests/golden/models/: small TextClassifier and LanguageModel twins (python/rnn_wasm/
models.py) exported with rnn_wasm.models.export, and expected.json with what PyTorch computes
from them: class probabilities for a batch of texts of different lengths, per-token traces
(the prediction for every prefix), next-token logits, and a greedy continuation.
    /usr/bin/python3 tests/golden/make_golden_models.py
"""
import json
import pathlib
import sys

import torch

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent / "python"))
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


def main():
    OUT.mkdir(exist_ok=True)
    expected = {"torch": torch.__version__, "texts": TEXTS, "models": {}}
    for i, (name, options) in enumerate(CLASSIFIERS.items()):
        torch.manual_seed(100 + i)
        options = {**dict(vocab_size=VOCAB, embedding_dim=6, hidden_size=7, num_classes=2), **options}
        model = TextClassifier(**options).eval()
        export(model, OUT / f"{name}.safetensors")
        traces = [[probabilities(model, [t[: k + 1]])[0].tolist() for k in range(len(t))] for t in TEXTS]
        expected["models"][name] = {"kind": "TextClassifier", "probabilities": probabilities(model, TEXTS).tolist(), "traces": traces}
    prompt = [3, 14, 15, 9]
    for i, (name, options) in enumerate(LANGUAGE_MODELS.items()):
        torch.manual_seed(200 + i)
        model = LanguageModel(vocab_size=VOCAB, **options).eval()
        export(model, OUT / f"{name}.safetensors", dtype=torch.float16 if "tied" in name else None)
        if "tied" in name:  # the file holds float16: compute the reference from those values
            model.load_state_dict({k: v.half().float() for k, v in model.state_dict().items()})
        with torch.no_grad():
            logits, state = model(torch.tensor([prompt]))
            greedy, ids = [], torch.tensor([prompt])
            last = logits[0, -1]
            for _ in range(8):
                token = int(last.argmax())
                greedy.append(token)
                step, state = model(torch.tensor([[token]]), state)
                last = step[0, -1]
        expected["models"][name] = {"kind": "LanguageModel", "prompt": prompt, "logits": logits[0].tolist(), "greedy": greedy}
    decodes = [dict(beam_size=1, length_penalty=1.0), dict(beam_size=3, length_penalty=1.0), dict(beam_size=4, length_penalty=0.6)]
    sources = [[3, 4, 5, 6], [7, 8], [9, 10, 11, 12, 13, 3]]
    for i, cell in enumerate(["lstm", "gru"]):
        torch.manual_seed(300 + i)
        model = Seq2Seq(19, 17, 6, 8, cell=cell, num_layers=2 if cell == "lstm" else 1).eval()
        with torch.no_grad():
            model.output.weight *= 4  # peaked distributions: decodes of varied length, beams that differ
        name = f"seq2seq_{cell}"
        export(model, OUT / f"{name}.safetensors")
        runs = []
        for src in sources:
            for d in decodes:
                with torch.no_grad():
                    ids, score = decode(model, model.encode(torch.tensor([src])), 10, 1, 2, **d)
                runs.append({"src": src, "beamSize": d["beam_size"], "lengthPenalty": d["length_penalty"], "ids": ids, "score": score})
        expected["models"][name] = {"kind": "Seq2Seq", "decodes": runs}
    for i, cell in enumerate(["lstm", "gru"]):
        torch.manual_seed(400 + i)
        model = SequenceGenerator(5, 17, 6, 8, cell=cell, num_layers=2).eval()
        with torch.no_grad():
            model.output.weight *= 4
        name = f"generator_{cell}"
        export(model, OUT / f"{name}.safetensors")
        runs = []
        for features in [[0.5, -1.0, 2.0, 0.0, 1.0], [-0.3, 0.8, 0.1, -2.0, 0.4]]:
            for d in decodes:
                with torch.no_grad():
                    ids, score = decode(model, model.encode(torch.tensor(features)), 10, 1, 2, **d)
                runs.append({"features": features, "beamSize": d["beam_size"], "lengthPenalty": d["length_penalty"], "ids": ids, "score": score})
        expected["models"][name] = {"kind": "SequenceGenerator", "decodes": runs}
    torch.manual_seed(500)
    mlp = Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3), torch.nn.Tanh()).eval()
    export(mlp, OUT / "sequential.safetensors")
    x = torch.randn(2, 4)
    with torch.no_grad():
        expected["models"]["sequential"] = {"kind": "Sequential", "x": x.tolist(), "y": mlp(x).tolist()}
    (OUT / "expected.json").write_text(json.dumps(expected) + "\n")
    print(f"wrote {len(expected['models'])} models to {OUT.relative_to(HERE.parent.parent)}")


if __name__ == "__main__":
    main()
