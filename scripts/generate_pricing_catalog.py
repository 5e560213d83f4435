#!/usr/bin/env python3
"""Generate Spectra Reactive's bundled pricing catalog from LiteLLM's model price list.

Usage:
    python3 scripts/generate_pricing_catalog.py SOURCE.json [OUTPUT.json]

SOURCE is a copy of BerriAI/litellm's model_prices_and_context_window.json (MIT, Copyright (c) 2023 Berri AI);
a newer copy of the same file works. OUTPUT defaults to the core module's bundled resource. Python 3 standard
library only.

What it does, and why:
- Keeps the models of the providers Spectra reads (litellm_provider -> Spectra provider id below), keyed by
  the model name the provider's API uses: LiteLLM's "gemini/", "groq/", "azure/" ... key prefix is dropped only
  when it names the entry's own litellm_provider (the source saying it is that provider's model).
- Prices stay exact: the JSON is parsed with Decimal, never float, and token prices are written as USD per
  1M tokens (the per-token value times 10^6, exact), character prices per 1M characters, image and second
  prices per unit.
- Tiers: standard from *_cost_per_token; batch, flex and priority from *_batches / *_flex / *_priority where
  the source has both an input and an output price for that tier. Cached input (cache_read_input_token_cost)
  and cache writes (cache_creation_input_token_cost, the 5-minute write) per tier where given.
- Long context: *_above_200k_tokens (or *_above_128k_tokens) prices, which bill the whole request once its
  input passes the threshold.
- Dated snapshots: when every dated variant in the source of a family ("gpt-5-2025-08-07" of "gpt-5") has the
  family's prices exactly, the variants are dropped and the family is marked "dated": true, which lets the
  catalog price any dated snapshot of it. When one differs (gpt-4o-2024-05-13 vs gpt-4o), every variant is
  kept as listed and an unlisted snapshot stays unpriced.
"""
import hashlib
import json
import re
import sys
from decimal import Decimal
from pathlib import Path

PROVIDERS = {  # litellm_provider -> (Spectra provider id, priority when two entries collide: lower wins)
    "openai": ("openai", 0), "text-completion-openai": ("openai", 1),
    "azure": ("azure", 0), "azure_text": ("azure", 1),
    "anthropic": ("anthropic", 0),
    "gemini": ("gemini", 0),
    "groq": ("groq", 0),
    "mistral": ("mistral", 0), "codestral": ("mistral", 1), "text-completion-codestral": ("mistral", 2),
    "deepseek": ("deepseek", 0),
    "xai": ("xai", 0),
    "openrouter": ("openrouter", 0),
    "together_ai": ("together", 0),
    "cohere_chat": ("cohere", 0), "cohere": ("cohere", 1),
    "ollama": ("ollama", 0),
}
MODES = {
    "chat": "text", "completion": "text", "responses": "text", "embedding": "embedding",
    "image_generation": "image", "audio_transcription": "stt", "audio_speech": "tts", "video_generation": "video",
}
MILLION = Decimal(1000000)
DATED = re.compile(r"^(.+)-(\d{4}-\d{2}-\d{2}|\d{8})$")


def fmt(d):
    """Plain decimal text, no exponent, no trailing zeros."""
    s = format(d.normalize(), "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s or "0"


def dec(v):
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, (int, Decimal)):
        return Decimal(v)
    return None


def per_million(v):
    d = dec(v)
    return None if d is None else fmt(d * MILLION)


def per_unit(v):
    d = dec(v)
    return None if d is None else fmt(d)


def tier(src, suffix):
    inp = per_million(src.get("input_cost_per_token" + suffix))
    out = per_million(src.get("output_cost_per_token" + suffix))
    if inp is None or out is None:
        return None
    t = {"input": inp, "output": out}
    cached = per_million(src.get("cache_read_input_token_cost" + suffix))
    if cached is not None:
        t["cached_input"] = cached
    write = per_million(src.get("cache_creation_input_token_cost" + suffix))
    if write is not None:
        t["cache_write"] = write
    return t


def entry(src):
    mode = src.get("mode")
    if mode not in MODES:
        return None
    e = {"type": MODES[mode]}
    std = tier(src, "")
    if std is None and mode == "image_generation":
        # gpt-image-1: output billed per image token
        inp = per_million(src.get("input_cost_per_token"))
        out = per_million(src.get("output_cost_per_image_token"))
        if inp is not None and out is not None:
            std = {"input": inp, "output": out}
            cached = per_million(src.get("cache_read_input_token_cost"))
            if cached is not None:
                std["cached_input"] = cached
    if std is not None:
        e["standard"] = std
    for name, suffix in (("batch", "_batches"), ("flex", "_flex"), ("priority", "_priority")):
        t = tier(src, suffix)
        if t is not None:
            e[name] = t
    for threshold, suffix in ((200000, "_above_200k_tokens"), (128000, "_above_128k_tokens")):
        t = tier(src, suffix)
        if t is not None and std is not None:
            t["above_input_tokens"] = threshold
            e["long_context"] = t
            break
    if mode == "image_generation":
        image = per_unit(src.get("output_cost_per_image")) or per_unit(src.get("input_cost_per_image"))
        if image is not None:
            e["image"] = image
    if mode == "audio_transcription":
        sec = per_unit(src.get("input_cost_per_second"))
        if sec is not None:
            e["input_second"] = sec
    if mode == "audio_speech":
        sec = per_unit(src.get("output_cost_per_second"))
        if sec is not None:
            e["output_second"] = sec
        chars = per_million(src.get("input_cost_per_character"))
        if chars is not None:
            e["input_character"] = chars
    if len(e) == 1:
        return None  # no price at all
    return e


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    source = Path(argv[1])
    default_out = Path(__file__).resolve().parent.parent / (
        "spectra-reactive-core/src/main/resources/dev/spectra/reactive/pricing/catalog.json")
    output = Path(argv[2]) if len(argv) > 2 else default_out
    raw = source.read_bytes()
    data = json.loads(raw.decode("utf-8"), parse_float=Decimal, parse_int=Decimal)

    chosen = {}  # (provider, model) -> (priority, entry)
    collisions = 0
    for key, src in data.items():
        if not isinstance(src, dict):
            continue
        lp = src.get("litellm_provider")
        if lp not in PROVIDERS:
            continue
        provider, priority = PROVIDERS[lp]
        model = key
        if model.startswith(lp + "/"):
            model = model[len(lp) + 1:]
        e = entry(src)
        if e is None:
            continue
        k = (provider, model)
        if k in chosen:
            collisions += 1
            if chosen[k][0] <= priority:
                continue
        chosen[k] = (priority, e)

    catalog = {}
    for (provider, model), (_, e) in chosen.items():
        catalog.setdefault(provider, {})[model] = e

    # fold dated snapshots into their family when the source prices them all alike
    folded = 0
    for provider, models in catalog.items():
        families = {}
        for model in models:
            m = DATED.match(model)
            if m and m.group(1) in models:
                families.setdefault(m.group(1), []).append(model)
        for family, variants in families.items():
            base = {k: v for k, v in models[family].items() if k != "dated"}
            if all(models[v] == base for v in variants):
                for v in variants:
                    del models[v]
                    folded += 1
                models[family]["dated"] = True

    lines = ["{"]
    lines.append('  "_notice": "Generated by scripts/generate_pricing_catalog.py from LiteLLM model_prices_and_context_window.json. '
                 'Prices: Copyright (c) 2023 Berri AI, MIT License (https://github.com/BerriAI/litellm/blob/main/LICENSE). '
                 'Do not edit by hand: regenerate.",')
    lines.append('  "_source": ' + json.dumps({
        "file": source.name, "sha256": hashlib.sha256(raw).hexdigest(), "entries": len(data)}) + ",")
    lines.append('  "_units": "input, output, cached_input, cache_write: USD per 1M tokens; input_character: USD per 1M '
                 'characters; image: USD per image; input_second, output_second: USD per second of audio; '
                 'long_context applies to the whole request once input tokens exceed above_input_tokens; '
                 'dated: any -YYYY-MM-DD or -YYYYMMDD snapshot of the model has its prices",')
    lines.append('  "providers": {')
    provider_blocks = []
    for provider in sorted(catalog):
        models = catalog[provider]
        rows = []
        for model in sorted(models):
            rows.append("      " + json.dumps(model) + ": " + json.dumps(models[model], separators=(",", ":")))
        provider_blocks.append("    " + json.dumps(provider) + ": {\n" + ",\n".join(rows) + "\n    }")
    lines.append(",\n".join(provider_blocks))
    lines.append("  }")
    lines.append("}")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text("\n".join(lines) + "\n", encoding="utf-8")
    total = sum(len(m) for m in catalog.values())
    print(f"{output}: {total} models of {len(catalog)} providers "
          f"({folded} dated snapshots folded, {collisions} name collisions resolved)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
