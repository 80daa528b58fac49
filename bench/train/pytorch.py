"""The PyTorch runtime of `npm run bench -- --train`: the twins of python/rnn_wasm/models.py on
one thread, from the weights and batches bench/train/data.mjs wrote. Prints, as JSON, per
workload the loss of every step, the gradient norm before clipping and each timed window's
seconds; bench/train.mjs turns them into the table.

    /usr/bin/python3 bench/train/pytorch.py build/bench/train [T1 T2 T3]
"""
import json
import os
import sys
import time

# torch.set_num_threads(1) leaves OpenBLAS (Debian's torch calls it for every matrix product) at
# one thread per core; its own variable, read when torch loads it, makes it one thread too.
os.environ["OPENBLAS_NUM_THREADS"] = "1"
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

sys.path.insert(0, "python")
from rnn_wasm.models import LanguageModel, TextClassifier  # noqa: E402
from rnn_wasm.safetensors import load_file  # noqa: E402


def batches(folder, wid, w, count):
    """(count, batch, steps + 1) windows for 'lm'; (ids, labels) for 'classifier'. int64."""
    with open(f"{folder}/{wid}.bin", "rb") as f:
        data = torch.frombuffer(bytearray(f.read()), dtype=torch.int32).long()
    if w["kind"] == "lm":
        return data.view(count, w["batch"], w["steps"] + 1)
    n = count * w["batch"] * w["steps"]
    return data[:n].view(count, w["batch"], w["steps"]), data[n:].view(count, w["batch"])


def run(folder, wid, w, manifest):
    count = manifest["batchCounts"][wid]
    if w["kind"] == "lm":
        model = LanguageModel(w["vocab"], w["embedding"], w["hidden"], cell="lstm", num_layers=w["layers"])
        windows = batches(folder, wid, w, count)

        def loss_of(b):
            logits, _ = model(windows[b, :, :-1])
            return F.cross_entropy(logits.reshape(-1, w["vocab"]), windows[b, :, 1:].reshape(-1))
    else:
        model = TextClassifier(w["vocab"], w["embedding"], w["hidden"], w["classes"], cell="lstm", pooling="last", padding_idx=0)
        ids, labels = batches(folder, wid, w, count)

        def loss_of(b):
            # model(ids, lengths) without its pack_padded_sequence: every sequence is full length,
            # so the last state is the same (3.7e-8 apart), and PyTorch 1.13's CPU backward of a
            # packed LSTM fills and adds a zero (T*batch, 4*hidden) gradient at every step, which
            # took 0.7-1.3 s of a 0.05 s step here: not what a PyTorch user would measure.
            _, (h_n, _) = model.rnn(model.embedding(ids[b]))
            return F.cross_entropy(model.head(h_n[-1]), labels[b])

    tensors, _ = load_file(f"{folder}/{wid}.safetensors")
    model.load_state_dict(tensors, strict=True)
    model.train()
    adam = manifest["adam"]
    opt = torch.optim.Adam(model.parameters(), lr=adam["lr"], betas=(adam["beta1"], adam["beta2"]), eps=adam["eps"])
    losses, norms = [], []

    def step(b):
        opt.zero_grad()
        loss = loss_of(b)
        loss.backward()
        norms.append(float(torch.nn.utils.clip_grad_norm_(model.parameters(), manifest["clipNorm"])))
        opt.step()
        losses.append(loss.item())

    # The loss steps are the warm-up too; then the timed windows, each a fixed number of steps.
    for b in range(w["lossSteps"]):
        step(b)
    seconds = []
    for k in range(manifest["windows"]):
        start = time.perf_counter()
        for b in range(w["windowSteps"]):
            step(w["lossSteps"] + k * w["windowSteps"] + b)
        seconds.append(time.perf_counter() - start)
    return {"losses": losses, "gradNorms": norms, "windows": seconds}


def blas():
    """Which OpenBLAS the process loaded, its kernels and threads ('' if none)."""
    import ctypes
    with open("/proc/self/maps") as f:
        paths = sorted({line.split()[-1] for line in f if "libopenblas" in line})
    if not paths:
        return ""
    lib = ctypes.CDLL(paths[0])  # the loaded library again, not a second copy
    lib.openblas_get_corename.restype = ctypes.c_char_p
    return f", OpenBLAS {lib.openblas_get_corename().decode()} kernels, {lib.openblas_get_num_threads()} thread"


def main():
    folder = sys.argv[1]
    torch.set_num_threads(1)
    torch.manual_seed(0)  # nothing here is random (no dropout); set for certainty
    with open(f"{folder}/manifest.json") as f:
        manifest = json.load(f)
    which = sys.argv[2:] or list(manifest["workloads"])
    results = {wid: run(folder, wid, manifest["workloads"][wid], manifest) for wid in which}
    print(json.dumps({"runtime": f"PyTorch {torch.__version__.split('+')[0]}", "blas": blas(), "results": results}))


if __name__ == "__main__":
    main()
