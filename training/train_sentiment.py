#!/usr/bin/python3
"""Trains the demo's sentiment model on SST-2 and exports it for rnn-wasm.

    /usr/bin/python3 training/train_sentiment.py [--data ../shared/data/sst2] [--epochs 3]

Model: rnn_wasm.models.TextClassifier, a 1-layer LSTM over 100-dimensional embeddings learned
from scratch (no pre-trained vectors), hidden 128, the last state -> 2 classes. Vocabulary:
every token of the training split (SST-2 is already lower-cased and PTB-tokenised), plus
<pad> (0) and <unk> (1). Fixed seeds; one torch thread, so runs are reproducible.

Writes (paths relative to the repository):
  web-demo/public/models/sentiment.safetensors   the model, float16 (rnn-wasm reads it as float32)
  web-demo/public/models/sentiment.vocab.json    tokens and tokenizer rules
  docs/img/sentiment-curves.png                  training loss and dev accuracy per epoch
  training/results/sentiment.json                figures, and PyTorch's dev predictions for the
                                                 parity check (scripts/eval-models.mjs)
The checkpoint kept is the one with the best dev accuracy.
"""
import argparse
import collections
import json
import pathlib
import random
import sys
import time

import torch
from torch import nn
from tqdm import tqdm

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "python"))
from rnn_wasm.models import TextClassifier, export  # noqa: E402

PAD, UNK = "<pad>", "<unk>"


def read_split(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        next(f)  # header: sentence<TAB>label
        for line in f:
            sentence, label = line.rstrip("\n").split("\t")
            rows.append((sentence.split(), int(label)))
    return rows


def batches(rows, vocab, size, shuffle, rng):
    order = list(range(len(rows)))
    if shuffle:
        rng.shuffle(order)
    for start in range(0, len(order), size):
        chunk = [rows[i] for i in order[start : start + size]]
        ids = [[vocab.get(t, 1) for t in tokens] or [1] for tokens, _ in chunk]
        lengths = torch.tensor([len(x) for x in ids])
        padded = torch.zeros(len(ids), int(lengths.max()), dtype=torch.long)
        for b, x in enumerate(ids):
            padded[b, : len(x)] = torch.tensor(x)
        yield padded, lengths, torch.tensor([label for _, label in chunk])


def evaluate(model, rows, vocab):
    model.eval()
    predictions = []
    with torch.no_grad():
        for ids, lengths, _ in batches(rows, vocab, 256, False, None):
            predictions += model(ids, lengths).argmax(-1).tolist()
    accuracy = sum(p == label for p, (_, label) in zip(predictions, rows)) / len(rows)
    return accuracy, predictions


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "sst2"))
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    torch.set_num_threads(1)
    rng = random.Random(args.seed)
    train = read_split(pathlib.Path(args.data) / "train.tsv")
    dev = read_split(pathlib.Path(args.data) / "dev.tsv")
    counts = collections.Counter(t for tokens, _ in train for t in tokens)
    tokens = [PAD, UNK] + sorted(counts, key=lambda t: (-counts[t], t))
    vocab = {t: i for i, t in enumerate(tokens)}

    model = TextClassifier(vocab_size=len(tokens), embedding_dim=100, hidden_size=128, num_classes=2,
                           cell="lstm", pooling="last", padding_idx=0, dropout=0.3)
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    loss_fn = nn.CrossEntropyLoss()
    history, best = [], None
    started = time.time()
    for epoch in range(1, args.epochs + 1):
        model.train()
        total, count = 0.0, 0
        n_batches = (len(train) + 63) // 64
        with tqdm(batches(train, vocab, 64, True, rng), total=n_batches, desc=f"epoch {epoch}/{args.epochs}", file=sys.stderr) as bar:
            for ids, lengths, labels in bar:
                optimizer.zero_grad()
                loss = loss_fn(model(ids, lengths), labels)
                loss.backward()
                nn.utils.clip_grad_norm_(model.parameters(), 5.0)
                optimizer.step()
                total, count = total + float(loss) * len(labels), count + len(labels)
                bar.set_postfix(loss=f"{total / count:.4f}")
        accuracy, predictions = evaluate(model, dev, vocab)
        history.append({"epoch": epoch, "trainLoss": total / count, "devAccuracy": accuracy})
        print(f"epoch {epoch}: train loss {total / count:.4f}, dev accuracy {accuracy:.4f}", file=sys.stderr)
        if best is None or accuracy > best["devAccuracy"]:
            best = {"epoch": epoch, "devAccuracy": accuracy, "predictions": predictions,
                    "state": {k: v.clone() for k, v in model.state_dict().items()}}

    model.load_state_dict(best["state"])
    model.eval()
    # The exported file holds float16: PyTorch's reference predictions come from those values.
    model.load_state_dict({k: v.half().float() for k, v in model.state_dict().items()})
    f16_accuracy, f16_predictions = evaluate(model, dev, vocab)
    out = ROOT / "web-demo" / "public" / "models"
    out.mkdir(parents=True, exist_ok=True)
    export(model, out / "sentiment.safetensors", dtype=torch.float16,
           metadata={"labels": json.dumps(["negative", "positive"]), "trainedOn": "SST-2 (GLUE) train split"})
    (out / "sentiment.vocab.json").write_text(json.dumps({
        "tokenizer": "sst2", "lowercase": True, "padId": 0, "unkId": 1, "tokens": tokens}, ensure_ascii=False))

    results = ROOT / "training" / "results"
    results.mkdir(parents=True, exist_ok=True)
    (results / "sentiment.json").write_text(json.dumps({
        "torch": torch.__version__, "seed": args.seed, "epochs": args.epochs, "bestEpoch": best["epoch"],
        "devAccuracy": best["devAccuracy"], "devAccuracyFloat16": f16_accuracy, "vocabulary": len(tokens),
        "parameters": sum(p.numel() for p in model.parameters()), "seconds": round(time.time() - started),
        "history": history, "devPredictionsFloat16": f16_predictions}, indent=1))
    plot(history, ROOT / "docs" / "img" / "sentiment-curves.png")
    print(f"best dev accuracy {best['devAccuracy']:.4f} (epoch {best['epoch']}), float16 {f16_accuracy:.4f}", file=sys.stderr)


def plot(history, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    path.parent.mkdir(parents=True, exist_ok=True)
    epochs = [h["epoch"] for h in history]
    fig, left = plt.subplots(figsize=(6, 3.5))
    left.plot(epochs, [h["trainLoss"] for h in history], "o-", color="tab:blue", label="train loss")
    left.set_xlabel("epoch")
    left.set_ylabel("train loss (cross-entropy)", color="tab:blue")
    right = left.twinx()
    right.plot(epochs, [h["devAccuracy"] for h in history], "s-", color="tab:red", label="dev accuracy")
    right.set_ylabel("dev accuracy", color="tab:red")
    left.set_title("Sentiment (SST-2): 1-layer LSTM from scratch")
    fig.tight_layout()
    fig.savefig(path, dpi=100)


if __name__ == "__main__":
    main()
