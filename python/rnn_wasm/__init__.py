"""Python side of rnn-wasm: write PyTorch weights in the files the library loads."""
from .safetensors import load_file, save_file

__all__ = ["load_file", "save_file"]
