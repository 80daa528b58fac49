"""Python side of rnn-wasm: write PyTorch weights in the files the library loads, and move
training checkpoints between PyTorch and the browser."""
from . import int8
from .checkpoint import load_checkpoint, save_checkpoint
from .safetensors import load_file, save_file

__all__ = ["int8", "load_checkpoint", "load_file", "save_checkpoint", "save_file"]
