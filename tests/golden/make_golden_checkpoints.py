#!/usr/bin/python3
"""Writes tests/golden/checkpoints/: training runs that move between rnn-wasm and PyTorch through
checkpoints, for tests/js/checkpoints.test.ts.

For each case (a model twin from python/rnn_wasm/models.py and a torch.optim optimizer, fixed
initial weights and batches of sequences of different lengths, taken in turn):
- PyTorch trains 2N steps in one go: "<case>.pytorch_2n.*".
- PyTorch trains N steps and writes <case>.from_pytorch.safetensors with
  rnn_wasm.save_checkpoint; the test loads it in rnn-wasm, trains N more steps and compares
  with pytorch_2n.
- rnn-wasm (the built package, through tests/js/support/checkpoint-run.mjs) trains N steps and
  writes <case>.from_js.safetensors with saveCheckpoint; here PyTorch loads it with
  rnn_wasm.load_checkpoint, trains N more steps ("<case>.pytorch_after_js.*") and must land
  within the optimizer-parity tolerance of pytorch_2n (checked here, and again by the test).

cases.safetensors holds "<case>.start.*" (the initial state_dict), the two results, and the cases
(config, optimizer, batches) as JSON in the metadata entry "cases". Needs Debian's PyTorch and a
built package (npm run build):
    /usr/bin/python3 tests/golden/make_golden_checkpoints.py
"""
import copy
import json
import pathlib
import subprocess
import sys

import torch

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
OUT = HERE / "checkpoints"
sys.path.insert(0, str(ROOT / "python"))
from rnn_wasm import load_checkpoint, save_checkpoint, save_file  # noqa: E402
from rnn_wasm.models import LanguageModel, Seq2Seq, TextClassifier  # noqa: E402

torch.set_num_threads(1)
STEPS = 6  # N: each run is 2N steps, split at N
TOLERANCE = 2e-5  # relative to each tensor's scale, as tests/js/training.test.ts measures parity
TORCH_OPTIMIZERS = {"SGD": torch.optim.SGD, "Adam": torch.optim.Adam, "AdamW": torch.optim.AdamW}


def ragged(g, batch, low, high, vocab, first=1):
    return [torch.randint(first, vocab, (int(torch.randint(low, high + 1, (1,), generator=g)),), generator=g).tolist() for _ in range(batch)]


def cases():
    g = torch.Generator().manual_seed(1300)
    torch.manual_seed(1301)
    classifier = TextClassifier(23, 6, 7, 3, cell="lstm")
    classifier_batches = []
    for _ in range(4):
        ids = ragged(g, 3, 2, 7, 23)
        classifier_batches.append({"ids": ids, "labels": torch.randint(0, 3, (3,), generator=g).tolist()})
    lm = LanguageModel(19, 8, 8, cell="gru", num_layers=2, tie_weights=True)
    lm_batches = []
    for _ in range(4):
        seqs = ragged(g, 3, 3, 8, 19, first=0)
        lm_batches.append({"ids": seqs, "targets": [s[1:] + [int(torch.randint(0, 19, (1,), generator=g))] for s in seqs]})
    seq2seq = Seq2Seq(13, 11, 5, 6, cell="rnn")
    seq2seq_batches = []
    for _ in range(4):
        src = ragged(g, 2, 2, 6, 13)
        out = ragged(g, 2, 2, 5, 11)
        seq2seq_batches.append({"src": src, "tgtIn": [[1] + o[:-1] for o in out], "tgtOut": out})
    return {
        "classifier_adam": (classifier, classifier_batches, "Adam", dict(lr=0.01)),
        "lm_tied_sgd_momentum": (lm, lm_batches, "SGD", dict(lr=0.5, momentum=0.9)),
        "seq2seq_adamw_amsgrad": (seq2seq, seq2seq_batches, "AdamW", dict(lr=0.01, weight_decay=0.1, amsgrad=True)),
    }


def loss_of(model, batch):
    if isinstance(model, TextClassifier):
        return model.loss(batch["ids"], batch["labels"])
    if isinstance(model, LanguageModel):
        return model.loss(batch["ids"], batch["targets"])[0]
    return model.loss(batch["src"], batch["tgtIn"], batch["tgtOut"])


def train(model, optimizer, batches, begin, end):
    for step in range(begin, end):
        optimizer.zero_grad()
        loss_of(model, batches[step % len(batches)]).backward()
        optimizer.step()


def state(model):
    """state_dict as rnn-wasm keys it: a tied decoder weight appears once, as embedding.weight."""
    s = {k: v.detach().clone() for k, v in model.state_dict().items()}
    if model.config.get("tieWeights"):
        del s["decoder.weight"]
    return s


def relative(a, b):
    scale = b.abs().max().item()
    diff = (a - b).abs().max().item()
    return diff / scale if scale else diff


def camel(options):
    return {{"weight_decay": "weightDecay"}.get(k, k): v for k, v in options.items()}


def main():
    OUT.mkdir(exist_ok=True)
    meta, tensors = {}, {}
    runs = cases()
    for name, (model, batches, kind, options) in runs.items():
        meta[name] = {"model": type(model).__name__, "config": model.config, "optimizer": kind, "options": camel(options),
                      "steps": STEPS, "batches": batches}
        tensors.update({f"{name}.start.{k}": v for k, v in state(model).items()})
    cases_path = OUT / "cases.safetensors"
    save_file(tensors, cases_path, metadata={"cases": json.dumps(meta), "torch": torch.__version__})

    library = (ROOT / "dist" / "index.js").as_uri()
    for name, (model, batches, kind, options) in runs.items():
        start = copy.deepcopy(model)
        whole = copy.deepcopy(start)
        opt = TORCH_OPTIMIZERS[kind](whole.parameters(), **options)
        train(whole, opt, batches, 0, 2 * STEPS)
        tensors.update({f"{name}.pytorch_2n.{k}": v for k, v in state(whole).items()})

        half = copy.deepcopy(start)
        opt = TORCH_OPTIMIZERS[kind](half.parameters(), **options)
        train(half, opt, batches, 0, STEPS)
        save_checkpoint(OUT / f"{name}.from_pytorch.safetensors", half, opt, step=STEPS, epoch=STEPS // len(batches))

        from_js = OUT / f"{name}.from_js.safetensors"
        run = {"case": name, "until": STEPS, "save": str(from_js)}
        subprocess.run(["node", str(HERE.parent / "js" / "support" / "checkpoint-run.mjs"), library, "simd", json.dumps(run)],
                       check=True, stdout=subprocess.DEVNULL)
        resumed = copy.deepcopy(start)
        opt = TORCH_OPTIMIZERS[kind](resumed.parameters(), lr=123.0)  # the checkpoint's hyperparameters replace these
        counters = load_checkpoint(from_js, resumed, opt)
        assert counters["step"] == STEPS and opt.param_groups[0]["lr"] == options["lr"], counters
        train(resumed, opt, batches, STEPS, 2 * STEPS)
        after = state(resumed)
        tensors.update({f"{name}.pytorch_after_js.{k}": v for k, v in after.items()})
        worst = max(relative(after[k], tensors[f"{name}.pytorch_2n.{k}"]) for k in after)
        print(f"{name}: PyTorch continuing rnn-wasm's checkpoint vs PyTorch alone: {worst:.2e} relative")
        assert worst <= TOLERANCE, name
    save_file(tensors, cases_path, metadata={"cases": json.dumps(meta), "torch": torch.__version__})


if __name__ == "__main__":
    main()
