"""The tokenizers of js/src/tokenizers.ts in Python, rule for rule, so that text is cut into the
same tokens for training in PyTorch as for running in rnn-wasm."""
import re

# Abbreviations whose period stays on the word in Penn-Treebank-style text (SST keeps "mr.").
_ABBREVIATIONS = {"mr.", "mrs.", "ms.", "dr.", "st.", "jr.", "sr.", "vs.", "etc.", "inc.", "co.", "prof.", "gen.", "lt.",
                  "sen.", "rep.", "gov.", "no."}
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)*|\d+(?:[.,]\d+)*|[.,;:?!]")


def tokenize_sst2(text):
    """Penn-Treebank-style tokens in lower case, as SST-2 (GLUE) is written (tokenizeSst2)."""
    a = re.ASCII  # JavaScript's \\w and \\s
    s = f" {str(text).lower()} "
    s = re.sub("[\u2018\u2019\u02bc]", "'", s)
    s = re.sub("[\u201c\u201d]", '"', s).replace("\u2026", "...")
    s = re.sub("--+", " -- ", re.sub("[\u2013\u2014]", " -- ", s))
    s = re.sub(r'(^|[\s(\[{])"', r"\1 `` ", s, flags=a).replace('"', " '' ")
    s = re.sub(r"\.\.\.+", " ... ", s)
    s = re.sub(r"([,;:?!()\[\]{}$&*%#@+=<>|\\/])", r" \1 ", s)
    s = re.sub(r"(\s)'(?=\w)", r"\1` ", s, flags=a)
    s = re.sub(r"(\w)'(\s)", r"\1 '\2", s, flags=a)
    s = re.sub(r"\bcannot\b", "can not", s, flags=a)
    s = re.sub(r"\b(ca|wo)n't\b", r"\1 n't", s, flags=a)
    s = re.sub(r"(\w)n't\b", r"\1 n't", s, flags=a)
    s = re.sub(r"(\w)'(s|re|ve|ll|d|m)\b", r"\1 '\2", s, flags=a)
    tokens = []
    for raw in s.split():
        # A final period comes off unless the word is an abbreviation or has inner periods (u.s.).
        if (len(raw) > 1 and raw.endswith(".") and re.search(r"\w", raw, a) and raw not in _ABBREVIATIONS
                and not re.search(r"\.\w", raw[:-1], a)):
            tokens += [raw[:-1], "."]
        else:
            tokens.append(raw)
    return tokens


def tokenize_words(text):
    """Lower-case words with inner apostrophes, numbers and . , ; : ? ! (tokenizeWords)."""
    return _WORD.findall(str(text).lower().replace("\u2019", "'").replace("\u2018", "'"))
