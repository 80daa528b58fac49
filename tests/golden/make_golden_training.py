#!/usr/bin/python3
"""Writes tests/golden/training.safetensors: what torch.optim and the models' twins do over many
steps, for tests/js/training.test.ts to repeat through rnn-wasm's API.

- Optimizers: 100 steps of SGD (plain, momentum, dampening, Nesterov, weight decay), Adam (with
  and without amsgrad and weight decay) and AdamW, each on the same small MLP with
  F.cross_entropy over 4 fixed batches in turn, in float32 as users run PyTorch: the initial
  weights, the batches, the final weights and the optimizer's final state.
- clip_grad_norm_: the total norm (norm types 2, 1 and inf) of an MLP's gradients and the
  clipped gradients.
- Each model shape (python/rnn_wasm/models.py twins, their `loss`): 20 Adam steps from exported
  initial weights over fixed batches of sequences of different lengths, in float32: the loss
  at every step and the final state_dict. The language models carry their state from window to
  window, detached, as rnn-wasm's trainState does.

Tensors are "{case}.{name}"; the cases' options and loss sequences are JSON in the metadata
entry "cases". Run with Debian's PyTorch:
    /usr/bin/python3 tests/golden/make_golden_training.py
"""
import json
import pathlib
import sys

import torch
from torch import nn

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent / "python"))
from rnn_wasm import save_file  # noqa: E402
from rnn_wasm.models import LanguageModel, Seq2Seq, Sequential, SequenceGenerator, TextClassifier  # noqa: E402

torch.set_num_threads(1)

OPTIMIZERS = {
    "sgd": ("SGD", dict(lr=0.1)),
    "sgd_momentum": ("SGD", dict(lr=0.05, momentum=0.9)),
    "sgd_dampening": ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.3)),
    "sgd_nesterov": ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True)),
    "sgd_weight_decay": ("SGD", dict(lr=0.1, momentum=0.5, weight_decay=0.01)),
    "adam": ("Adam", dict(lr=0.01)),
    "adam_amsgrad": ("Adam", dict(lr=0.01, amsgrad=True)),
    "adam_weight_decay": ("Adam", dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.01)),
    "adamw": ("AdamW", dict(lr=0.01)),
    "adamw_amsgrad": ("AdamW", dict(lr=0.01, weight_decay=0.1, amsgrad=True)),
}
TORCH_OPTIMIZERS = {"SGD": torch.optim.SGD, "Adam": torch.optim.Adam, "AdamW": torch.optim.AdamW}


def camel(options):
    """torch.optim's keyword names as rnn-wasm's options."""
    names = {"weight_decay": "weightDecay"}
    return {names.get(k, k): list(v) if isinstance(v, tuple) else v for k, v in options.items()}


def mlp():
    return Sequential(nn.Linear(6, 10), nn.Tanh(), nn.Linear(10, 4))


class Golden:
    def __init__(self):
        self.cases, self.tensors = {}, {}

    def add(self, name, options, tensors):
        self.cases[name] = options
        for key, t in tensors.items():
            self.tensors[f"{name}.{key}"] = t.detach().to(torch.float32).contiguous()


def optimizer_cases(golden):
    torch.manual_seed(1000)
    batches = [(torch.randn(16, 6), torch.randint(0, 4, (16,))) for _ in range(4)]
    data = {}
    for i, (x, y) in enumerate(batches):
        data[f"x{i}"], data[f"y{i}"] = x, y.float()
    golden.add("data", {"batches": len(batches)}, data)
    for name, (kind, options) in OPTIMIZERS.items():
        torch.manual_seed(1001)
        model = mlp()
        initial = {f"initial.{k}": v.clone() for k, v in model.state_dict().items()}
        optimizer = TORCH_OPTIMIZERS[kind](model.parameters(), **options)
        losses = []
        for step in range(100):
            x, y = batches[step % len(batches)]
            optimizer.zero_grad()
            loss = model.loss(x, y)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        final = {f"final.{k}": v for k, v in model.state_dict().items()}
        state = {}
        names = [k for k, _ in model.named_parameters()]
        for index, entries in optimizer.state_dict()["state"].items():
            for key, value in entries.items():
                if value is not None:
                    state[f"state.{index}.{key}"] = value.reshape(-1) if value.dim() else value.reshape(1)
        golden.add(name, {"kind": "optimizer", "optimizer": kind, "options": camel(options), "losses": losses, "parameters": names},
                   {**initial, **final, **state})


def clip_cases(golden):
    for norm_type in [2.0, 1.0, float("inf")]:
        torch.manual_seed(1100)
        model = mlp()
        x, y = torch.randn(8, 6), torch.randint(0, 4, (8,))
        model.loss(x, y).backward()
        grads = {f"grad.{k}": p.grad.clone() for k, p in model.named_parameters()}
        norm = torch.nn.utils.clip_grad_norm_(model.parameters(), 0.5, norm_type=norm_type)
        clipped = {f"clipped.{k}": p.grad.clone() for k, p in model.named_parameters()}
        weights = {f"initial.{k}": v for k, v in model.state_dict().items()}
        golden.add(f"clip_{norm_type}", {"kind": "clip", "normType": "inf" if norm_type == float("inf") else norm_type, "maxNorm": 0.5,
                                         "norm": norm.item()}, {**weights, **grads, **clipped, "x": x, "y": y.float()})


def ragged(generator, batch, low, high, vocab, first=1):
    """`batch` lists of ids of random lengths in [low, high], ids in [first, vocab)."""
    return [torch.randint(first, vocab, (int(torch.randint(low, high + 1, (1,), generator=generator)),), generator=generator).tolist()
            for _ in range(batch)]


def model_case(golden, name, model, batches, run):
    """20 Adam steps over batches in turn; run(model, batch) returns the loss."""
    initial = {f"initial.{k}": v.clone() for k, v in model.state_dict().items()}
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    losses = []
    for step in range(20):
        optimizer.zero_grad()
        loss = run(model, batches[step % len(batches)])
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    final = {f"final.{k}": v for k, v in model.state_dict().items()}
    golden.add(name, {"kind": "model", "model": type(model).__name__, "config": model.config, "batches": batches, "losses": losses},
               {**initial, **final})


def model_cases(golden):
    g = torch.Generator().manual_seed(1200)
    vocab = 23
    for name, options in {"classifier_lstm_bi_mean": dict(cell="lstm", bidirectional=True, num_layers=2, pooling="mean", head=[5], activation="tanh"),
                          "classifier_gru_last": dict(cell="gru", pooling="last", num_classes=3),
                          "classifier_rnn_max": dict(cell="rnn", pooling="max", head=[6], activation="relu")}.items():
        torch.manual_seed(1201)
        model = TextClassifier(**{**dict(vocab_size=vocab, embedding_dim=6, hidden_size=7, num_classes=2), **options})
        classes = model.config["numClasses"]
        batches = [{"texts": ragged(g, 4, 1, 7, vocab), "labels": torch.randint(0, classes, (4,), generator=g).tolist()} for _ in range(3)]
        model_case(golden, name, model, batches, lambda m, b: m.loss(b["texts"], b["labels"]))
    for name, options in {"lm_lstm": dict(cell="lstm", num_layers=2, embedding_dim=6, hidden_size=8),
                          "lm_gru_tied": dict(cell="gru", num_layers=1, embedding_dim=8, hidden_size=8, tie_weights=True)}.items():
        torch.manual_seed(1202)
        model = LanguageModel(vocab_size=vocab, **options)
        # Three streams of windows of 6 tokens, the state carried and detached between windows.
        stream = [ragged(g, 3, 19, 19, vocab, first=0)[i] for i in range(3)]
        batches = [{"ids": [s[w * 6:(w + 1) * 6] for s in stream], "targets": [s[w * 6 + 1:(w + 1) * 6 + 1] for s in stream]} for w in range(3)]
        state = {"value": None}

        def run(m, b, state=state):
            if b is batches[0]:
                state["value"] = None  # each pass over the windows starts a new stream
            loss, final = m.loss(b["ids"], b["targets"], state["value"])
            state["value"] = tuple(t.detach() for t in final) if isinstance(final, tuple) else final.detach()
            return loss
        model_case(golden, name, model, batches, run)
    for name, cell in {"seq2seq_lstm": "lstm", "seq2seq_gru": "gru"}.items():
        torch.manual_seed(1203)
        model = Seq2Seq(src_vocab_size=vocab, tgt_vocab_size=17, embedding_dim=6, hidden_size=7, cell=cell, num_layers=2)
        batches = []
        for _ in range(3):
            tgt = ragged(g, 3, 1, 5, 17, first=3)
            batches.append({"src": ragged(g, 3, 2, 6, vocab), "tgtIn": [[1] + t for t in tgt], "tgtOut": [t + [2] for t in tgt]})
        model_case(golden, name, model, batches, lambda m, b: m.loss(b["src"], b["tgtIn"], b["tgtOut"]))
    torch.manual_seed(1204)
    model = SequenceGenerator(feature_size=5, vocab_size=17, embedding_dim=6, hidden_size=7, cell="lstm", num_layers=2)
    batches = []
    for _ in range(3):
        tgt = ragged(g, 2, 1, 5, 17, first=3)
        batches.append({"features": torch.randn(2, 5, generator=g).tolist(), "tgtIn": [[1] + t for t in tgt], "tgtOut": [t + [2] for t in tgt]})
    model_case(golden, "generator_lstm", model, batches, lambda m, b: m.loss(torch.tensor(b["features"]), b["tgtIn"], b["tgtOut"]))
    torch.manual_seed(1205)
    model = Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 8), nn.Sigmoid(), nn.Linear(8, 3))
    batches = [{"x": torch.randn(5, 4, generator=g).tolist(), "targets": torch.randint(0, 3, (5,), generator=g).tolist()} for _ in range(3)]
    model_case(golden, "sequential_ce", model, batches, lambda m, b: m.loss(torch.tensor(b["x"]), torch.tensor(b["targets"])))
    torch.manual_seed(1206)
    model = Sequential(nn.Linear(4, 6), nn.Tanh(), nn.Linear(6, 2))
    batches = [{"x": torch.randn(5, 4, generator=g).tolist(), "targets": torch.randn(5, 2, generator=g).tolist()} for _ in range(3)]
    model_case(golden, "sequential_mse", model, batches, lambda m, b: m.loss(torch.tensor(b["x"]), torch.tensor(b["targets"])))


def main():
    golden = Golden()
    optimizer_cases(golden)
    clip_cases(golden)
    model_cases(golden)
    out = HERE / "training.safetensors"
    save_file(golden.tensors, out, metadata={"cases": json.dumps(golden.cases), "torch": torch.__version__,
                                             "generator": "tests/golden/make_golden_training.py"})
    print(f"wrote {out.relative_to(HERE.parent.parent)}: {len(golden.cases)} cases, {out.stat().st_size} bytes")


if __name__ == "__main__":
    main()
