"""Checkpoints shared with rnn-wasm: a training run in one .safetensors file.

The model's state_dict under "model.", the optimizer's state in torch.optim's layout under
"optimizer.state.<i>.<name>" (i numbers the parameters in state_dict order), and in the
metadata the optimizer's class and param_groups, the step and epoch counters and rnn-wasm's
seeded generator (carried through unchanged). A run started in the browser continues here:

    model = LanguageModel(...)                       # the same shape as in the browser
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    counters = load_checkpoint("run.safetensors", model, optimizer)
    ...                                              # train on, in PyTorch
    save_checkpoint("run.safetensors", model, optimizer, step=..., epoch=..., rng=counters["rng"])

and JavaScript's loadCheckpoint(bytes) picks it up again.
"""
import json

import torch

from .safetensors import load_file, save_file

FORMAT = "rnn-wasm-checkpoint"
FORMAT_VERSION = 1
_KINDS = ("TextClassifier", "LanguageModel", "Seq2Seq", "SequenceGenerator", "Sequential")
_RESERVED = ("format", "formatVersion", "kind", "config", "step", "epoch", "rng", "optimizer", "optimizer.param_groups")


def _tied(model):
    return bool(getattr(model, "config", {}).get("tieWeights"))


def _parameter_names(model):
    """The names of model.parameters(), in order: rnn-wasm numbers optimizer state by them."""
    return [name for name, _ in model.named_parameters()]


def _check_optimizer(model, optimizer):
    if len(optimizer.param_groups) != 1:
        raise ValueError("rnn-wasm checkpoints hold one parameter group; this optimizer has %d" % len(optimizer.param_groups))
    params = optimizer.param_groups[0]["params"]
    model_params = list(model.parameters())
    if len(params) != len(model_params) or any(p is not q for p, q in zip(params, model_params)):
        raise ValueError("the optimizer must update model.parameters(), all of them, in that order")


def save_checkpoint(path, model, optimizer=None, step=0, epoch=0, rng=None, metadata=None):
    """Writes model (an rnn_wasm.models twin, or any module) and optimizer (torch.optim.SGD,
    Adam or AdamW over model.parameters()) to path, as rnn-wasm's saveCheckpoint does. rng is
    what load_checkpoint returned under "rng" (rnn-wasm's generator), or None; metadata, your
    own string entries (a vocabulary...)."""
    extra = dict(metadata or {})
    taken = [k for k in extra if k in _RESERVED]
    if taken:
        raise ValueError("metadata may not set %r, which the format uses" % taken[0])
    metadata = {**extra, "format": FORMAT, "formatVersion": str(FORMAT_VERSION), "step": str(int(step)), "epoch": str(int(epoch))}
    kind = type(model).__name__
    if kind in _KINDS and hasattr(model, "config"):
        metadata["kind"] = kind
        metadata["config"] = json.dumps(model.config)
    if rng is not None:
        metadata["rng"] = json.dumps(rng)
    state = model.state_dict()
    if _tied(model):
        del state["decoder.weight"]  # the same tensor as embedding.weight, as rnn_wasm.models.export writes it
    tensors = {"model." + name: t for name, t in state.items()}
    if optimizer is not None:
        _check_optimizer(model, optimizer)
        metadata["optimizer"] = type(optimizer).__name__
        saved = optimizer.state_dict()
        metadata["optimizer.param_groups"] = json.dumps(saved["param_groups"])
        for i, entries in saved["state"].items():
            for name, value in entries.items():
                tensors["optimizer.state.%d.%s" % (i, name)] = torch.as_tensor(value, dtype=torch.float32)
    save_file(tensors, path, metadata=metadata)


def load_checkpoint(path, model, optimizer=None):
    """Loads a checkpoint written by rnn-wasm's saveCheckpoint (or save_checkpoint) into model
    and, when given, optimizer (of the class the file names, over model.parameters()). The
    optimizer takes the file's hyperparameters. Returns {"step", "epoch", "rng", "metadata"}
    (metadata: the file's own string entries)."""
    tensors, metadata = load_file(path)
    if metadata.get("format") != FORMAT:
        raise ValueError("%s is not an rnn-wasm checkpoint (metadata format %r)" % (path, metadata.get("format")))
    if int(metadata.get("formatVersion", "0")) > FORMAT_VERSION:
        raise ValueError("%s has checkpoint format %s, newer than this rnn_wasm reads (%d)" % (path, metadata["formatVersion"], FORMAT_VERSION))
    weights = {name[len("model."):]: t for name, t in tensors.items() if name.startswith("model.")}
    if _tied(model):
        weights["decoder.weight"] = weights["embedding.weight"]
    model.load_state_dict(weights, strict=True)
    if optimizer is not None:
        saved = metadata.get("optimizer")
        if saved != type(optimizer).__name__:
            raise ValueError("the checkpoint holds %s state, the optimizer is %s" % (saved, type(optimizer).__name__))
        _check_optimizer(model, optimizer)
        current = optimizer.state_dict()["param_groups"][0]
        group = dict(current)
        group.update({k: v for k, v in json.loads(metadata["optimizer.param_groups"])[0].items() if k != "params"})
        if "betas" in group:
            group["betas"] = tuple(group["betas"])
        state = {}
        for name, t in tensors.items():
            if name.startswith("optimizer.state."):
                i, key = name[len("optimizer.state."):].split(".", 1)
                state.setdefault(int(i), {})[key] = t.reshape(()) if key == "step" else t
        optimizer.load_state_dict({"state": state, "param_groups": [group]})
    rng = metadata.get("rng")
    extra = {k: v for k, v in metadata.items() if k not in _RESERVED}
    return {"step": int(metadata.get("step", "0")), "epoch": int(metadata.get("epoch", "0")), "rng": json.loads(rng) if rng else None, "metadata": extra}
