"""rnn-wasm's int8 weights in PyTorch (docs/int8.md): the same scheme, so that "what int8
computes" has a PyTorch reference: the float32 module with dequantize(*quantize(W)) in place of
each weight matrix W.

    q, scale = quantize(weight)        # int8 (rows, cols), float32 (rows)
    weight_ = dequantize(q, scale)     # float32, exactly rnn-wasm's stateDict() of an int8 module
"""
import torch


def quantize(weight: torch.Tensor):
    """Symmetric per-row int8: scale = max|w| / 127 per row (1 for a row of zeros), q =
    round(w / scale) with ties to even. float32 arithmetic, as rnn-wasm."""
    w = weight.detach().to(torch.float32)
    largest = w.abs().amax(dim=1)
    scale = torch.where(largest > 0, largest / 127, torch.ones_like(largest))
    q = torch.round(w / scale[:, None]).clamp(-127, 127).to(torch.int8)
    return q, scale


def dequantize(q: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    """W' = q * scale, float32."""
    return q.to(torch.float32) * scale[:, None]


def is_weight_matrix(name, value):
    """What int8 applies to: a 2-D parameter named weight* (recurrent, Linear, Embedding)."""
    return name.split(".")[-1].startswith("weight") and value.dim() == 2


def dequantized_state_dict(state_dict):
    """A state_dict with every weight matrix (2-D, named weight*: recurrent, Linear, Embedding)
    replaced by W', what rnn-wasm's int8 modules compute with."""
    out = {}
    for name, value in state_dict.items():
        if is_weight_matrix(name, value):
            out[name] = dequantize(*quantize(value))
        else:
            out[name] = value
    return out
