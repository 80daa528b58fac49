"""PyTorch twins of rnn-wasm's model classes: the same architecture and the same state_dict
names, so a model trained here loads in JavaScript with `loadModel(bytes)`. Each twin's `loss`
computes what the JavaScript model's `loss` computes (batches of sequences of different
lengths, padded and packed here), so a run can move between the two.

    from rnn_wasm.models import TextClassifier, export
    model = TextClassifier(vocab_size=20000, embedding_dim=128, hidden_size=256, num_classes=2)
    ...train...
    export(model, "sentiment.safetensors")

Each twin keeps its constructor arguments in `self.config` (camelCase, as the TypeScript
options), which `export` writes into the file's metadata with the kind and format version.
"""
import json

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from . import int8
from .safetensors import save_file

FORMAT_VERSION = 1
_RNN = {"rnn": nn.RNN, "gru": nn.GRU, "lstm": nn.LSTM}
_ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid}


IGNORE = -100  # the ignore_index of padded target positions (PyTorch's default)


def _pad(sequences, value):
    """Lists of ids of different lengths -> a (batch, T) LongTensor padded with value, and lengths."""
    lengths = torch.tensor([len(s) for s in sequences])
    out = torch.full((len(sequences), int(lengths.max())), value, dtype=torch.long)
    for b, s in enumerate(sequences):
        out[b, : len(s)] = torch.as_tensor(s, dtype=torch.long)
    return out, lengths


def _run_packed(rnn, x, lengths, state=None):
    """A batch-first recurrent layer over padded x with PackedSequence semantics: each sequence
    stops at its own length. Returns the padded output (zeros past each length) and the state."""
    packed = pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
    output, state = rnn(packed, state)
    output, _ = pad_packed_sequence(output, batch_first=True, total_length=x.shape[1])
    return output, state


def _teacher_forced(model, x, lengths, state, tgt_out):
    """A decoder's mean cross-entropy over every target token, fed x from state."""
    output, _ = _run_packed(model.decoder, x, lengths, state)
    targets, _ = _pad(tgt_out, IGNORE)
    logits = model.output(output)
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=IGNORE)


def _recurrent(cell, input_size, hidden_size, num_layers, bidirectional, dropout):
    if cell not in _RNN:
        raise ValueError(f"cell must be one of {sorted(_RNN)}, got {cell!r}")
    return _RNN[cell](input_size, hidden_size, num_layers=num_layers, batch_first=True,
                      bidirectional=bidirectional, dropout=dropout if num_layers > 1 else 0.0)


class TextClassifier(nn.Module):
    """Many-to-one: Embedding -> RNN/GRU/LSTM -> pooling -> Linear layers -> class logits.

    pooling: 'last' (each direction's state at the last valid step, concatenated), 'mean' or
    'max' (over valid steps of the top layer's output). head: sizes of hidden Linear layers
    between the pooling and the output, with `activation` between them. forward(ids, lengths)
    takes padded ids (batch, T) and returns logits (batch, num_classes); softmax gives the
    probabilities that `predict` returns in JavaScript.
    """

    def __init__(self, vocab_size, embedding_dim, hidden_size, num_classes, cell="lstm", num_layers=1,
                 bidirectional=False, pooling="last", head=(), activation="relu", padding_idx=0, dropout=0.0):
        super().__init__()
        if pooling not in ("last", "mean", "max"):
            raise ValueError(f"pooling must be 'last', 'mean' or 'max', got {pooling!r}")
        self.config = dict(vocabSize=vocab_size, embeddingDim=embedding_dim, hiddenSize=hidden_size,
                           numClasses=num_classes, cell=cell, numLayers=num_layers, bidirectional=bidirectional,
                           pooling=pooling, head=list(head), activation=activation, paddingIdx=padding_idx)
        self.embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=padding_idx)
        self.rnn = _recurrent(cell, embedding_dim, hidden_size, num_layers, bidirectional, dropout)
        self.dropout = nn.Dropout(dropout)
        layers, width = [], hidden_size * (2 if bidirectional else 1)
        for size in head:
            layers += [nn.Linear(width, size), _ACTIVATIONS[activation]()]
            width = size
        layers.append(nn.Linear(width, num_classes))
        self.head = nn.Sequential(*layers)  # state_dict: head.0.weight, head.2.weight, ...

    def forward(self, ids, lengths):
        x = self.dropout(self.embedding(ids))
        packed = pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
        output, state = self.rnn(packed)
        h_n = state[0] if isinstance(state, tuple) else state
        if self.config["pooling"] == "last":
            d = 2 if self.config["bidirectional"] else 1
            pooled = torch.cat([h_n[-d + i] for i in range(d)], dim=-1)
        else:
            output, _ = pad_packed_sequence(output, batch_first=True, total_length=ids.shape[1])
            mask = (torch.arange(ids.shape[1])[None, :] < lengths[:, None]).unsqueeze(-1)
            if self.config["pooling"] == "mean":
                pooled = (output * mask).sum(1) / lengths[:, None].to(output.dtype)
            else:
                pooled = output.masked_fill(~mask, float("-inf")).max(1).values
        return self.head(self.dropout(pooled))

    def loss(self, texts, labels):
        """Mean cross-entropy of texts (lists of ids, different lengths) against their labels."""
        ids, lengths = _pad(texts, self.config["paddingIdx"] or 0)
        return F.cross_entropy(self(ids, lengths), torch.as_tensor(labels, dtype=torch.long))


class LanguageModel(nn.Module):
    """Synchronous many-to-many: Embedding -> RNN/GRU/LSTM -> Linear decoder over the vocabulary.

    With tie_weights the decoder shares the embedding matrix (needs hidden_size ==
    embedding_dim). forward(ids, state=None) takes ids (batch, T) and returns logits
    (batch, T, vocab_size) and the final state.
    """

    def __init__(self, vocab_size, embedding_dim, hidden_size, cell="lstm", num_layers=2, tie_weights=False, dropout=0.0):
        super().__init__()
        if tie_weights and hidden_size != embedding_dim:
            raise ValueError("tie_weights needs hidden_size == embedding_dim")
        self.config = dict(vocabSize=vocab_size, embeddingDim=embedding_dim, hiddenSize=hidden_size, cell=cell,
                           numLayers=num_layers, tieWeights=tie_weights)
        self.embedding = nn.Embedding(vocab_size, embedding_dim)
        self.rnn = _recurrent(cell, embedding_dim, hidden_size, num_layers, False, dropout)
        self.dropout = nn.Dropout(dropout)
        self.decoder = nn.Linear(hidden_size, vocab_size)
        if tie_weights:
            self.decoder.weight = self.embedding.weight

    def forward(self, ids, state=None):
        output, state = self.rnn(self.dropout(self.embedding(ids)), state)
        return self.decoder(self.dropout(output)), state

    def loss(self, sequences, targets, state=None):
        """Mean cross-entropy of the next-token predictions for sequences (lists of ids, different
        lengths) against targets (the same lengths), from state (or zeros). Returns (loss, the
        state where each sequence ended); detach it before the next window, as PyTorch's
        word-language-model example does (truncated backpropagation through time)."""
        ids, lengths = _pad(sequences, 0)
        output, state = _run_packed(self.rnn, self.dropout(self.embedding(ids)), lengths, state)
        logits = self.decoder(self.dropout(output))
        y, _ = _pad(targets, IGNORE)
        return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1), ignore_index=IGNORE), state


def export(model, path, dtype=None, metadata=None):
    """Writes the model's state_dict, kind, configuration and format version to path.

    dtype=torch.float16 halves the file (rnn-wasm reads F16 as float32). dtype="int8" writes
    the weight matrices of the recurrent, Linear and Embedding layers as int8 (I8) with their
    float32 scales (rnn_wasm.int8, docs/int8.md), which loadModel keeps as int8; biases stay
    float32. Extra string metadata (a vocabulary, tokenizer rules) may be added.
    """
    kind = type(model).__name__
    if kind not in ("TextClassifier", "LanguageModel", "Seq2Seq", "SequenceGenerator", "Sequential"):
        raise TypeError(f"export: no rnn-wasm model kind for {kind}")
    info = {"format": "rnn-wasm", "formatVersion": str(FORMAT_VERSION), "kind": kind, "config": json.dumps(model.config)}
    info.update(metadata or {})
    state = model.state_dict()
    if getattr(model, "config", {}).get("tieWeights"):
        del state["decoder.weight"]  # the same tensor as embedding.weight: rnn-wasm ties it on load
    if dtype == "int8":
        state, info["int8Scales"] = _int8_state(state)
        dtype = None
    save_file(state, path, metadata=info, dtype=dtype)


def _int8_state(state):
    """The state with each weight matrix (2-D, named weight*: recurrent, Linear, Embedding) as
    int8 q and its scales "<name>.scale"; and the JSON that names them, for the metadata."""
    out, scales = {}, {}
    for name, value in state.items():
        if int8.is_weight_matrix(name, value):
            out[name], out[name + ".scale"] = int8.quantize(value)
            scales[name] = name + ".scale"
        else:
            out[name] = value
    return out, json.dumps(scales)


class Seq2Seq(nn.Module):
    """Many-to-many encoder-decoder, the classic PyTorch translation model: the encoder's final
    states seed the decoder. forward(src, tgt_in) takes ids (batch, S) and (batch, T) and returns
    logits (batch, T, tgt_vocab_size); translation is `decode` below (greedy or beam search)."""

    def __init__(self, src_vocab_size, tgt_vocab_size, embedding_dim, hidden_size, cell="lstm", num_layers=1):
        super().__init__()
        self.config = dict(srcVocabSize=src_vocab_size, tgtVocabSize=tgt_vocab_size, embeddingDim=embedding_dim,
                           hiddenSize=hidden_size, cell=cell, numLayers=num_layers)
        self.encoder_embedding = nn.Embedding(src_vocab_size, embedding_dim)
        self.encoder = _recurrent(cell, embedding_dim, hidden_size, num_layers, False, 0.0)
        self.decoder_embedding = nn.Embedding(tgt_vocab_size, embedding_dim)
        self.decoder = _recurrent(cell, embedding_dim, hidden_size, num_layers, False, 0.0)
        self.output = nn.Linear(hidden_size, tgt_vocab_size)

    def encode(self, src):
        _, state = self.encoder(self.encoder_embedding(src))
        return state

    def step(self, token, state):
        """One decoder step for one sequence: returns (log-probabilities, new state)."""
        y, state = self.decoder(self.decoder_embedding(torch.tensor([[token]])), state)
        return torch.log_softmax(self.output(y[0, -1]).double(), dim=-1), state

    def forward(self, src, tgt_in):
        y, _ = self.decoder(self.decoder_embedding(tgt_in), self.encode(src))
        return self.output(y)

    def loss(self, src, tgt_in, tgt_out):
        """Teacher forcing: mean cross-entropy of the decoder, fed tgt_in from the encoder's final
        states over src, against tgt_out (lists of ids, each batch of different lengths)."""
        ids, lengths = _pad(src, 0)
        _, state = _run_packed(self.encoder, self.encoder_embedding(ids), lengths, None)
        tgt, tgt_lengths = _pad(tgt_in, 0)
        return _teacher_forced(self, self.decoder_embedding(tgt), tgt_lengths, state, tgt_out)


class SequenceGenerator(nn.Module):
    """One-to-many: a feature vector -> Linear -> the decoder's initial h (and c) for every
    layer -> Embedding + RNN/GRU/LSTM + Linear, decoded like Seq2Seq (e.g. image captioning)."""

    def __init__(self, feature_size, vocab_size, embedding_dim, hidden_size, cell="lstm", num_layers=1):
        super().__init__()
        self.config = dict(featureSize=feature_size, vocabSize=vocab_size, embeddingDim=embedding_dim,
                           hiddenSize=hidden_size, cell=cell, numLayers=num_layers)
        self.init_h = nn.Linear(feature_size, num_layers * hidden_size)
        if cell == "lstm":
            self.init_c = nn.Linear(feature_size, num_layers * hidden_size)
        self.embedding = nn.Embedding(vocab_size, embedding_dim)
        self.decoder = _recurrent(cell, embedding_dim, hidden_size, num_layers, False, 0.0)
        self.output = nn.Linear(hidden_size, vocab_size)

    def encode(self, features):
        """features (feature_size) -> initial state, (num_layers, 1, hidden) each."""
        shape = (self.config["numLayers"], 1, self.config["hiddenSize"])
        h = self.init_h(features).view(shape)
        return (h, self.init_c(features).view(shape)) if self.config["cell"] == "lstm" else h

    def step(self, token, state):
        y, state = self.decoder(self.embedding(torch.tensor([[token]])), state)
        return torch.log_softmax(self.output(y[0, -1]).double(), dim=-1), state

    def loss(self, features, tgt_in, tgt_out):
        """Teacher forcing from the states features (batch, feature_size) map to: mean
        cross-entropy of the decoder fed tgt_in against tgt_out (lists of ids)."""
        batch, layers, hidden = features.shape[0], self.config["numLayers"], self.config["hiddenSize"]
        def initial(linear):  # (batch, layers*hidden) -> (layers, batch, hidden)
            return linear(features).view(batch, layers, hidden).transpose(0, 1).contiguous()
        state = (initial(self.init_h), initial(self.init_c)) if self.config["cell"] == "lstm" else initial(self.init_h)
        tgt, lengths = _pad(tgt_in, 0)
        return _teacher_forced(self, self.embedding(tgt), lengths, state, tgt_out)


class Sequential(nn.Sequential):
    """One-to-one: Linear layers and activations (ReLU, Tanh, Sigmoid), as nn.Sequential."""

    def __init__(self, *layers):
        super().__init__(*layers)
        spec = []
        for layer in layers:
            if isinstance(layer, nn.Linear):
                spec.append({"type": "linear", "inFeatures": layer.in_features, "outFeatures": layer.out_features,
                             "bias": layer.bias is not None})
            else:
                names = {nn.ReLU: "relu", nn.Tanh: "tanh", nn.Sigmoid: "sigmoid"}
                if type(layer) not in names:
                    raise TypeError(f"Sequential: {type(layer).__name__} is not supported")
                spec.append({"type": names[type(layer)]})
        self.config = {"layers": spec}

    def loss(self, x, targets):
        """Class ids (a LongTensor) give the mean cross-entropy, a float tensor the mean squared error."""
        y = self(x)
        return F.mse_loss(y, targets) if targets.is_floating_point() else F.cross_entropy(y, targets)


def decode(model, state, max_len, bos_id, eos_id, beam_size=1, length_penalty=1.0):
    """The reference of rnn-wasm's decoder (Seq2Seq.translate, SequenceGenerator.generate).

    Beams hold (ids, summed log-probability, state). Each step expands every beam by its
    beam_size most likely tokens (ties: lower id); candidates are ranked by summed log-probability
    and taken in order: one ending in eos_id is finished, the others live, until beam_size live.
    Stops after max_len steps, when no beam lives, or when beam_size have finished. The result is
    the finished (else live) hypothesis with the best logp / len(ids) ** length_penalty.
    Returns (ids without bos, eos included when produced; that score).
    """
    beams, finished = [([], 0.0, state)], []
    with torch.no_grad():
        for _ in range(max_len):
            candidates = []
            for ids, logp, st in beams:
                logprobs, new_state = model.step(ids[-1] if ids else bos_id, st)
                order = sorted(range(len(logprobs)), key=lambda t: (-float(logprobs[t]), t))[:beam_size]
                candidates += [(ids + [t], logp + float(logprobs[t]), new_state) for t in order]
            candidates.sort(key=lambda c: -c[1])
            live = []
            for c in candidates:
                if len(live) == beam_size:
                    break
                (finished if c[0][-1] == eos_id else live).append(c)
            beams = live
            if not beams or len(finished) >= beam_size:
                break
    pool = finished or beams
    best = max(pool, key=lambda c: c[1] / len(c[0]) ** length_penalty)
    return best[0], best[1] / len(best[0]) ** length_penalty
