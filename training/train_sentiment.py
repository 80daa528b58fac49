#!/usr/bin/python3
"""Trains the demo's sentiment model on SST-2 and exports it for rnn-wasm.

    /usr/bin/python3 training/train_sentiment.py [--data ../shared/data/sst2] [--seed 1]

Model: rnn_wasm.models.TextClassifier, a bidirectional 1-layer LSTM (128 units each way) over
64-dimensional embeddings learned from scratch (no pre-trained vectors), mean-pooled over time
-> 2 classes. Vocabulary: the training split's tokens seen at least --min-count (10) times
(SST-2 is already lower-cased and PTB-tokenised; its phrases repeat a sentence's words), plus
<pad> (0) and <unk> (1); rarer tokens train <unk>. The sizes keep the int8 file and its
vocabulary near 0.7 MB (the demo's two models share a 3 MB budget). The training split gains
12,000 phrases made from its own (augmented(): negation and contrast, which SST-2 holds few
of). AdamW 2e-3 (weight decay 0.1) falling to 0 on a cosine, dropout 0.5 on the embeddings and
the pooled features, 6 epochs; the other settings tried are in docs/models.md. Fixed seeds; one torch thread, so runs are reproducible.

Writes (paths relative to the repository):
  web-demo/public/models/sentiment.safetensors   the model, int8 weights (docs/int8.md)
  web-demo/public/models/sentiment.vocab.json    tokens and tokenizer rules
  training/local/sentiment-float32.safetensors   the float32 model, for npm run eval-models (git-ignored)
  docs/img/sentiment-curves.png                  training loss and dev accuracy per epoch
  training/results/sentiment.json                figures (float32 and int8), and PyTorch's dev
                                                 predictions on the int8 weights for the parity
                                                 check (scripts/eval-models.mjs)
The checkpoint kept is the one with the best dev accuracy.
"""
import argparse
import collections
import json
import math
import pathlib
import random
import sys
import time

import torch
from torch import nn
from tqdm import tqdm

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "python"))
from rnn_wasm import int8  # noqa: E402
from rnn_wasm.tokenizers import tokenize_sst2  # noqa: E402
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


# Words that turn what follows around ("not bad" is good), and connectives that hand the verdict
# to the clause after them ("A , but B" means what B means) in their two word orders.
NEGATORS = [["not"], ["never"], ["is", "not"], ["is", "n't"], ["was", "n't"], ["does", "n't"], ["did", "n't"]]
CONTRAST = [(["but"], "after"), (["yet"], "after"), (["although"], "before"), (["despite"], "before")]


def augmented(train, rng, per_kind):
    """Phrases made from SST-2's own, for what it holds few of (21 phrases like "not bad" or "not
    boring", so a model trained on it alone reads "not bad" as "bad"): a negator before a
    one-word or a short phrase, sometimes with "at all" after, with the opposite label
    ("not" + "a bad film"); and contrast, "A , but B" or "although A , B" with B's label, A a
    short phrase of the opposite one. per_kind of each of the three."""
    words = [(tokens, label) for tokens, label in train if len(tokens) == 1 and tokens[0].isalpha()]
    short = [(tokens, label) for tokens, label in train if 2 <= len(tokens) <= 5 and tokens[-1] not in (".", ",")]
    extra = []
    for pool in (words, short):
        for tokens, label in rng.sample(pool, min(per_kind, len(pool))):
            extra.append((rng.choice(NEGATORS) + tokens + (["at", "all"] if rng.random() < 0.25 else []), 1 - label))
    by_label = [[p for p in short if p[1] == 0], [p for p in short if p[1] == 1]]
    for i in range(per_kind):
        connective, order = CONTRAST[i % len(CONTRAST)]
        b_tokens, label = rng.choice(short)
        a_tokens, _ = rng.choice(by_label[1 - label])
        tokens = a_tokens + [","] + connective + b_tokens if order == "after" else connective + a_tokens + [","] + b_tokens
        extra.append((tokens, label))
    return extra


def read_negation_contrast():
    """training/data/negation-contrast.tsv: raw sentences of our own, cut as the demo cuts them."""
    lines = (ROOT / "training" / "data" / "negation-contrast.tsv").read_text(encoding="utf-8").splitlines()[1:]
    return [(tokenize_sst2(sentence), int(label)) for sentence, label in (line.split("\t") for line in lines if line)]


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
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--embedding-dim", type=int, default=64)
    parser.add_argument("--hidden", type=int, default=128, help="LSTM units per direction")
    parser.add_argument("--min-count", type=int, default=10, help="training occurrences a token needs to get its own embedding")
    parser.add_argument("--dropout", type=float, default=0.5)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--pooling", choices=["last", "mean", "max"], default="mean")
    parser.add_argument("--head", type=int, nargs="*", default=[], help="sizes of hidden Linear layers after the pooling (ReLU between)")
    parser.add_argument("--weight-decay", type=float, default=0.1, help="AdamW's decoupled weight decay (0: Adam)")
    parser.add_argument("--label-smoothing", type=float, default=0.0)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--augment", type=int, default=4000, help="phrases of each of the three kinds that augmented() adds (0: none)")
    parser.add_argument("--dry-run", action="store_true", help="train and print the figures, write nothing")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    torch.set_num_threads(1)
    rng = random.Random(args.seed)
    train = read_split(pathlib.Path(args.data) / "train.tsv")
    dev = read_split(pathlib.Path(args.data) / "dev.tsv")
    hard = read_negation_contrast()  # measured, never used to choose
    counts = collections.Counter(t for tokens, _ in train for t in tokens)
    tokens = [PAD, UNK] + sorted((t for t in counts if counts[t] >= args.min_count), key=lambda t: (-counts[t], t))
    vocab = {t: i for i, t in enumerate(tokens)}
    if args.augment:  # after the vocabulary: it adds no words
        train = train + augmented(train, random.Random(args.seed + 1000), args.augment)

    model = TextClassifier(vocab_size=len(tokens), embedding_dim=args.embedding_dim, hidden_size=args.hidden, num_classes=2,
                           cell="lstm", bidirectional=True, pooling=args.pooling, head=args.head, padding_idx=0, dropout=args.dropout)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    # The learning rate falls to 0 along a cosine over all steps: the last epochs settle instead
    # of jumping between minima (dev accuracy moved by 2 points from epoch to epoch without it).
    batches_per_epoch = (len(train) + args.batch_size - 1) // args.batch_size
    total_steps = args.epochs * batches_per_epoch
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 0.5 * (1 + math.cos(math.pi * step / total_steps)))
    loss_fn = nn.CrossEntropyLoss(label_smoothing=args.label_smoothing)
    history, best = [], None
    started = time.time()
    for epoch in range(1, args.epochs + 1):
        model.train()
        total, count = 0.0, 0
        with tqdm(batches(train, vocab, args.batch_size, True, rng), total=batches_per_epoch, desc=f"epoch {epoch}/{args.epochs}", file=sys.stderr) as bar:
            for ids, lengths, labels in bar:
                optimizer.zero_grad()
                loss = loss_fn(model(ids, lengths), labels)
                loss.backward()
                nn.utils.clip_grad_norm_(model.parameters(), 5.0)
                optimizer.step()
                schedule.step()
                total, count = total + float(loss) * len(labels), count + len(labels)
                bar.set_postfix(loss=f"{total / count:.4f}")
        accuracy, predictions = evaluate(model, dev, vocab)
        hard_accuracy, _ = evaluate(model, hard, vocab)
        history.append({"epoch": epoch, "trainLoss": total / count, "devAccuracy": accuracy, "negationContrastAccuracy": hard_accuracy})
        print(f"epoch {epoch}: train loss {total / count:.4f}, dev accuracy {accuracy:.4f}, negation and contrast {hard_accuracy:.4f}", file=sys.stderr)
        if best is None or accuracy > best["devAccuracy"]:
            best = {"epoch": epoch, "devAccuracy": accuracy, "predictions": predictions,
                    "state": {k: v.clone() for k, v in model.state_dict().items()}}

    model.load_state_dict(best["state"])
    model.eval()
    if not args.dry_run:
        # The float32 model too, git-ignored: npm run eval-models measures it beside the int8 one.
        (ROOT / "training" / "local").mkdir(parents=True, exist_ok=True)
        export(model, ROOT / "training" / "local" / "sentiment-float32.safetensors",
               metadata={"labels": json.dumps(["negative", "positive"]), "trainedOn": "SST-2 (GLUE) train split"})
    # The demo ships int8 weights: PyTorch's reference predictions come from W', the dequantized
    # weights rnn-wasm computes with.
    model.load_state_dict(int8.dequantized_state_dict(model.state_dict()))
    int8_accuracy, int8_predictions = evaluate(model, dev, vocab)
    hard_int8_accuracy, hard_int8_predictions = evaluate(model, hard, vocab)
    same = sum(a == b for a, b in zip(int8_predictions, best["predictions"])) / len(dev)
    print(f"best dev accuracy {best['devAccuracy']:.4f} (epoch {best['epoch']}), int8 {int8_accuracy:.4f}, same prediction {same:.4f}", file=sys.stderr)
    if args.dry_run:
        return
    out = ROOT / "web-demo" / "public" / "models"
    out.mkdir(parents=True, exist_ok=True)
    export(model, out / "sentiment.safetensors", dtype="int8",
           metadata={"labels": json.dumps(["negative", "positive"]), "trainedOn": "SST-2 (GLUE) train split"})
    (out / "sentiment.vocab.json").write_text(json.dumps({
        "tokenizer": "sst2", "lowercase": True, "padId": 0, "unkId": 1, "tokens": tokens}, ensure_ascii=False))

    results = ROOT / "training" / "results"
    results.mkdir(parents=True, exist_ok=True)
    (results / "sentiment.json").write_text(json.dumps({
        "torch": torch.__version__, "seed": args.seed, "epochs": args.epochs, "embeddingDim": args.embedding_dim,
        "hidden": args.hidden, "minCount": args.min_count, "dropout": args.dropout, "lr": args.lr, "pooling": args.pooling, "head": args.head, "weightDecay": args.weight_decay,
        "labelSmoothing": args.label_smoothing, "batchSize": args.batch_size, "augment": args.augment, "bestEpoch": best["epoch"],
        "devAccuracy": best["devAccuracy"], "devAccuracyInt8": int8_accuracy, "devSamePredictionInt8": same,
        "negationContrastAccuracy": history[best["epoch"] - 1]["negationContrastAccuracy"], "negationContrastAccuracyInt8": hard_int8_accuracy,
        "vocabulary": len(tokens), "parameters": sum(p.numel() for p in model.parameters()),
        "seconds": round(time.time() - started), "history": history, "devPredictionsInt8": int8_predictions, "negationContrastPredictionsInt8": hard_int8_predictions}, indent=1))
    plot(history, ROOT / "docs" / "img" / "sentiment-curves.png")


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
    left.set_title("Sentiment (SST-2): bidirectional LSTM from scratch")
    fig.tight_layout()
    fig.savefig(path, dpi=100)


if __name__ == "__main__":
    main()
