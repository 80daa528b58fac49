// The inference API's bindings: construction, forward passes, streaming state, state dicts.
// Every bound call is wrapped by `guarded` (convert.h); modules cross as opaque handles;
// tensors are copied in and out. Training's bindings are in training.cpp.
#include <emscripten/bind.h>

#include <optional>
#include <string>

#include "convert.h"
#include "../cells/gru_cell.h"
#include "../cells/lstm_cell.h"
#include "../cells/rnn_cell.h"
#include "../errors.h"
#include "../layers/activation.h"
#include "../layers/embedding.h"
#include "../tensor/random.h"
#include "../layers/linear.h"
#include "../layers/recurrent.h"

using emscripten::val;

namespace rnn {
namespace {

using namespace bindings;

// ---- construction and lifetime

val rnn_cell_new(double input_size, double hidden_size, bool bias, std::string nonlinearity,
                 double seed) {
  return guarded([&] {
    check_size("RNNCell", "inputSize", input_size);
    check_size("RNNCell", "hiddenSize", hidden_size);
    if (nonlinearity != "tanh" && nonlinearity != "relu")
      throw Error(ErrorKind::argument,
                  "RNNCell: nonlinearity must be 'tanh' or 'relu', got '" + nonlinearity + "'");
    return handle_of(new RNNCell(std::size_t(input_size), std::size_t(hidden_size), bias,
                                 nonlinearity == "tanh" ? Nonlinearity::tanh : Nonlinearity::relu,
                                 seed_of(seed)));
  });
}

val gru_cell_new(double input_size, double hidden_size, bool bias, double seed) {
  return guarded([&] {
    check_size("GRUCell", "inputSize", input_size);
    check_size("GRUCell", "hiddenSize", hidden_size);
    return handle_of(new GRUCell(std::size_t(input_size), std::size_t(hidden_size), bias, seed_of(seed)));
  });
}

val lstm_cell_new(double input_size, double hidden_size, bool bias, double seed) {
  return guarded([&] {
    check_size("LSTMCell", "inputSize", input_size);
    check_size("LSTMCell", "hiddenSize", hidden_size);
    return handle_of(new LSTMCell(std::size_t(input_size), std::size_t(hidden_size), bias, seed_of(seed)));
  });
}

val linear_new(double in_features, double out_features, bool bias, double seed) {
  return guarded([&] {
    check_size("Linear", "inFeatures", in_features);
    check_size("Linear", "outFeatures", out_features);
    return handle_of(new Linear(std::size_t(in_features), std::size_t(out_features), bias, seed_of(seed)));
  });
}

val embedding_new(double num_embeddings, double embedding_dim, val padding_idx, double seed) {
  return guarded([&] {
    check_size("Embedding", "numEmbeddings", num_embeddings);
    check_size("Embedding", "embeddingDim", embedding_dim);
    std::optional<std::int64_t> padding;
    if (!padding_idx.isNull() && !padding_idx.isUndefined()) {
      const double p = padding_idx.as<double>();
      if (std::floor(p) != p || std::abs(p) > 2147483647.0)
        throw Error(ErrorKind::argument, "Embedding: paddingIdx must be an integer, got " + std::to_string(p));
      padding = static_cast<std::int64_t>(p);
    }
    return handle_of(new Embedding(std::size_t(num_embeddings), std::size_t(embedding_dim), padding,
                                   seed_of(seed)));
  });
}

// mode: 'rnn_tanh' | 'rnn_relu' | 'gru' | 'lstm'; sizes as JS numbers, checked here.
val recurrent_new(std::string mode, double input_size, double hidden_size, double num_layers, bool bias,
                  bool batch_first, double dropout, bool bidirectional, double proj_size, double seed) {
  return guarded([&] {
    RecurrentOptions o;
    if (mode == "rnn_tanh") o.mode = RecurrentMode::rnn_tanh;
    else if (mode == "rnn_relu") o.mode = RecurrentMode::rnn_relu;
    else if (mode == "gru") o.mode = RecurrentMode::gru;
    else if (mode == "lstm") o.mode = RecurrentMode::lstm;
    else throw Error(ErrorKind::argument, "RNN: nonlinearity must be 'tanh' or 'relu', got '" + mode.substr(mode.rfind("rnn_", 0) == 0 ? 4 : 0) + "'");
    const char* name = o.mode == RecurrentMode::gru ? "GRU" : o.mode == RecurrentMode::lstm ? "LSTM" : "RNN";
    o.input_size = check_size(name, "inputSize", input_size);
    o.hidden_size = check_size(name, "hiddenSize", hidden_size);
    o.num_layers = check_size(name, "numLayers", num_layers);
    o.proj_size = proj_size == 0 ? 0 : check_size(name, "projSize", proj_size);
    o.bias = bias;
    o.batch_first = batch_first;
    o.dropout = dropout;
    o.bidirectional = bidirectional;
    o.seed = seed_of(seed);
    return handle_of(new Recurrent(o));
  });
}

void object_delete(double handle) { delete reinterpret_cast<Object*>(static_cast<std::uintptr_t>(handle)); }

// ---- streaming state

val recurrent_state_new(double handle, double batch) {
  return guarded([&] {
    const Recurrent& layer = as<Recurrent>(handle);
    const std::size_t b = check_size((layer.type_name() + ".state").c_str(), "batch", batch);
    return handle_of(new RecurrentState(layer.make_state(b)));
  });
}

val recurrent_state_clone(double state) {
  return guarded([&] { return handle_of(new RecurrentState(as<RecurrentState>(state))); });
}

// Returns [h] or [h, c].
val recurrent_state_get(double state) {
  return guarded([&] {
    RecurrentState& s = as<RecurrentState>(state);
    val out = val::array();
    out.call<void>("push", tensor_to_js(s.h()));
    if (s.c().dimension() == 3) out.call<void>("push", tensor_to_js(s.c()));
    return out;
  });
}

val recurrent_state_set(double handle, double state, val h, val c) {
  return guarded([&] {
    const Tensor ht = tensor_from_js(h);
    if (c.isNull()) {
      as<Recurrent>(handle).set_state(as<RecurrentState>(state), ht, nullptr);
    } else {
      const Tensor ct = tensor_from_js(c);
      as<Recurrent>(handle).set_state(as<RecurrentState>(state), ht, &ct);
    }
    return val::undefined();
  });
}

val recurrent_state_reset(double state) {
  return guarded([&] {
    as<RecurrentState>(state).reset();
    return val::undefined();
  });
}

val recurrent_step(double handle, double state, val x) {
  return guarded([&] { return tensor_to_js(as<Recurrent>(handle).step(tensor_from_js(x), as<RecurrentState>(state))); });
}

// entries: [name, {data, shape}][]
val module_load_state_dict(double handle, val entries, bool strict) {
  return guarded([&] {
    io::StateDict source;
    const std::size_t n = entries["length"].as<std::size_t>();
    for (std::size_t i = 0; i < n; ++i) {
      const val entry = entries[i];
      source[entry[0].as<std::string>()] = tensor_from_js(entry[1]);
    }
    as<Module>(handle).load_state_dict(source, strict);
    return val::undefined();
  });
}

// [name, tensor][] in PyTorch's order (the order of module.parameters(), which optimizers'
// state dicts number by).
val module_state_dict(double handle) {
  return guarded([&] {
    val out = val::array();
    for (const auto& slot : as<Module>(handle).parameters()) {
      Tensor t = xt::empty<float>(slot.shape);
      std::copy(slot.data, slot.data + t.size(), t.begin());
      val entry = val::array();
      entry.call<void>("push", slot.name);
      entry.call<void>("push", tensor_to_js(t));
      out.call<void>("push", entry);
    }
    as<Module>(handle).parameters_read();  // an int8 module frees its dequantized copies
    return out;
  });
}

// One weight matrix from an int8 file: q an Int8Array (rows * cols), scales a Float32Array (rows),
// already checked by js/src/models/model-file.ts (finite, positive, the right lengths).
val module_load_int8(double handle, std::string name, val q, double rows, double cols, val scales) {
  return guarded([&] {
    const auto levels = emscripten::convertJSArrayToNumberVector<std::int8_t>(q);
    const auto factors = emscripten::convertJSArrayToNumberVector<float>(scales);
    const std::size_t r = static_cast<std::size_t>(rows), c = static_cast<std::size_t>(cols);
    Module& module = as<Module>(handle);
    if (levels.size() != r * c || factors.size() != r)
      throw Error(ErrorKind::weights, module.type_name() + ": int8 '" + name + "': wrong lengths");
    if (!module.load_int8(name, levels.data(), factors.data(), r, c))
      throw Error(ErrorKind::weights, module.type_name() + ": no int8 weight '" + name + "'");
    return val::undefined();
  });
}

// Keeps the weight matrices as int8 from now on (Module::quantize_int8); js/src/module.ts
// refuses a module in train mode.
val module_quantize(double handle) {
  return guarded([&] {
    as<Module>(handle).quantize_int8();
    return val::undefined();
  });
}

// ---- forward passes; absent states arrive as null

val rnn_cell_forward(double handle, val x, val h0) {
  return guarded([&] {
    const Tensor input = tensor_from_js(x);
    if (h0.isNull()) return tensor_to_js(as<RNNCell>(handle).forward(input, nullptr));
    const Tensor h = tensor_from_js(h0);
    return tensor_to_js(as<RNNCell>(handle).forward(input, &h));
  });
}

val gru_cell_forward(double handle, val x, val h0) {
  return guarded([&] {
    const Tensor input = tensor_from_js(x);
    if (h0.isNull()) return tensor_to_js(as<GRUCell>(handle).forward(input, nullptr));
    const Tensor h = tensor_from_js(h0);
    return tensor_to_js(as<GRUCell>(handle).forward(input, &h));
  });
}

val lstm_cell_forward(double handle, val x, val h0, val c0) {
  return guarded([&] {
    const Tensor input = tensor_from_js(x);
    LSTMState out;
    if (h0.isNull()) {
      out = as<LSTMCell>(handle).forward(input, nullptr);
    } else {
      const LSTMState state{tensor_from_js(h0), tensor_from_js(c0)};
      out = as<LSTMCell>(handle).forward(input, &state);
    }
    val pair = val::array();
    pair.call<void>("push", tensor_to_js(out.h));
    pair.call<void>("push", tensor_to_js(out.c));
    return pair;
  });
}

// Returns [output, hN, cN or null].
val recurrent_forward(double handle, val x, val h0, val c0, val lengths) {
  return guarded([&] {
    const Tensor input = tensor_from_js(x);
    std::optional<Tensor> h, c;
    if (!h0.isNull()) h = tensor_from_js(h0);
    if (!c0.isNull()) c = tensor_from_js(c0);
    std::optional<std::vector<double>> lens;
    if (!lengths.isNull()) lens = numbers_from_js(lengths);
    const RecurrentOutput out = as<Recurrent>(handle).forward(input, h ? &*h : nullptr, c ? &*c : nullptr,
                                                             lens ? &*lens : nullptr);
    val result = val::array();
    result.call<void>("push", tensor_to_js(out.output));
    result.call<void>("push", tensor_to_js(out.h_n));
    result.call<void>("push", out.c_n.dimension() ? tensor_to_js(out.c_n) : val::null());
    return result;
  });
}

val linear_forward(double handle, val x) {
  return guarded([&] { return tensor_to_js(as<Linear>(handle).forward(tensor_from_js(x))); });
}

// ids: any array-like of numbers; shape: number[]
val embedding_forward(double handle, val ids, val shape) {
  return guarded([&] {
    const auto dims = emscripten::vecFromJSArray<double>(shape);
    return tensor_to_js(as<Embedding>(handle).forward(numbers_from_js(ids),
                                                      Shape(dims.begin(), dims.end())));
  });
}

val activation(std::string kind, val x) {
  return guarded([&] {
    const Tensor input = tensor_from_js(x);
    if (kind == "softmax") return tensor_to_js(softmax(input));
    if (kind == "sigmoid") return tensor_to_js(activate(Activation::sigmoid, input));
    if (kind == "tanh") return tensor_to_js(activate(Activation::tanh, input));
    if (kind == "relu") return tensor_to_js(activate(Activation::relu, input));
    throw Error(ErrorKind::argument, "unknown activation '" + kind + "'");
  });
}

// Bytes of wasm memory, for the memory tests (js liveObjectCount covers object counts).
double heap_bytes() { return double(__builtin_wasm_memory_size(0)) * 65536.0; }

// Which build this is: its kernels' instruction set, and whether it has threads.
std::string build_name() {
#if defined(RNN_WASM_RELAXED)
  std::string name = "relaxed";
#elif defined(RNN_HAVE_WASM_SIMD)
  std::string name = "simd";
#else
  std::string name = "baseline";
#endif
#ifdef RNN_WASM_THREADS
  name += "-threads";
#endif
  return name;
}

}  // namespace
}  // namespace rnn

EMSCRIPTEN_BINDINGS(rnn_wasm) {
  using namespace emscripten;
  function("_rnnCellNew", &rnn::rnn_cell_new);
  function("_gruCellNew", &rnn::gru_cell_new);
  function("_lstmCellNew", &rnn::lstm_cell_new);
  function("_linearNew", &rnn::linear_new);
  function("_embeddingNew", &rnn::embedding_new);
  function("_objectDelete", &rnn::object_delete);
  function("_recurrentStateNew", &rnn::recurrent_state_new);
  function("_recurrentStateClone", &rnn::recurrent_state_clone);
  function("_recurrentStateGet", &rnn::recurrent_state_get);
  function("_recurrentStateSet", &rnn::recurrent_state_set);
  function("_recurrentStateReset", &rnn::recurrent_state_reset);
  function("_recurrentStep", &rnn::recurrent_step);
  function("_moduleLoadStateDict", &rnn::module_load_state_dict);
  function("_moduleStateDict", &rnn::module_state_dict);
  function("_moduleQuantize", &rnn::module_quantize);
  function("_moduleLoadInt8", &rnn::module_load_int8);
  function("_setInitialDraws", +[](bool on) { rnn::initial_draws = on; });
  function("_rnnCellForward", &rnn::rnn_cell_forward);
  function("_gruCellForward", &rnn::gru_cell_forward);
  function("_lstmCellForward", &rnn::lstm_cell_forward);
  function("_linearForward", &rnn::linear_forward);
  function("_recurrentNew", &rnn::recurrent_new);
  function("_recurrentForward", &rnn::recurrent_forward);
  function("_embeddingForward", &rnn::embedding_forward);
  function("_activation", &rnn::activation);
  function("_heapBytes", &rnn::heap_bytes);
  function("_build", &rnn::build_name);
}
