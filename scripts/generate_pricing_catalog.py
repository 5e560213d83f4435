#!/usr/bin/env python3
"""Generate Spectra Reactive's bundled pricing catalog from LiteLLM's model price list.

Usage:
    python3 scripts/generate_pricing_catalog.py SOURCE.json [OUTPUT.json]

SOURCE is a copy of BerriAI/litellm's model_prices_and_context_window.json (MIT, Copyright (c) 2023 Berri AI);
a newer copy of the same file works. OUTPUT defaults to the core module's bundled resource. Python 3 standard
library only. Exits non-zero, writing nothing, when the source has a field this script does not know (see FIELDS):
a refreshed file with a new kind of price must be looked at, never mispriced silently.

What it does, and why:
- Keeps the models of the providers Spectra reads (litellm_provider -> Spectra provider id below), keyed by
  the model name the provider's API uses: LiteLLM's "gemini/", "groq/", "azure/" ... key prefix is dropped only
  when it names the entry's own litellm_provider (the source saying it is that provider's model).
- Prices stay exact: the JSON is parsed with Decimal, never float, and token prices are written as USD per
  1M tokens (the per-token value times 10^6, exact), character prices per 1M characters, image and second
  prices per unit. Every key of the output names its unit (input_per_1m_tokens, per_image, per_input_second ...).
- Tiers: standard from *_cost_per_token; batch, flex and priority from *_batches / *_flex / *_priority where
  the source has both an input and an output price for that tier. Per tier where given: cached input
  (cache_read_input_token_cost, or DeepSeek's input_cost_per_token_cache_hit), five-minute cache writes
  (cache_creation_input_token_cost), one-hour cache writes (cache_creation_input_token_cost_above_1hr), audio
  and image token prices, and a reasoning price (output_cost_per_reasoning_token). A price the source does not
  state stays absent, which the runtime reads as unknown (a call needing it is not priced), except where the
  provider documents the rule (DOCUMENTED_RULES below).
- Long context: *_above_200k_tokens (or *_above_128k_tokens) prices, which bill the whole request once its
  input passes the threshold.
- Dated snapshots are kept as listed, each under its own name: the runtime never gives an unlisted snapshot
  its family's price.
- Two entries of the same provider and model at the same priority: merged when no price they both state differs;
  else the model is left out (unpriced) and reported, never resolved by file order.
- Images priced per pixel (DALL-E) become per-image prices of their {quality}/{size}/{model} key only where
  OpenAI's published per-image price agrees with the source's pixel price (DALL_E_PRICES); others are reported
  and left out.
"""
import hashlib
import json
import re
import sys
from decimal import Decimal, InvalidOperation
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
    # Vertex AI: Gemini models (keys without a prefix) and Claude on Vertex (keys "vertex_ai/claude-...@date")
    "vertex_ai-language-models": ("vertex_ai", 0), "vertex_ai-anthropic_models": ("vertex_ai", 0),
    # AWS Bedrock: model ids as the Converse API takes them ("anthropic.claude-...-v1:0") and the inference
    # profiles LiteLLM lists apart ("us.", "eu.", "apac.", "global." ...); both LiteLLM groups price the same ids
    "bedrock_converse": ("bedrock", 0), "bedrock": ("bedrock", 1),
}
# providers whose keys with a "/" left after the prefix are not model ids: Bedrock's "bedrock/<region>/..." and
# "bedrock/*/1-month-commitment/..." entries price one region or a provisioned-throughput commitment
PLAIN_MODEL_IDS_ONLY = {"bedrock"}
# providers read through one API only: their entries of other modes are skipped whole (Bedrock: Converse, chat)
ONLY_MODES = {"bedrock": {"chat"}}
# key prefixes that name the Spectra provider rather than the entry's own litellm_provider
PROVIDER_PREFIXES = {"vertex_ai": "vertex_ai/"}
MODES = {
    "chat": "text", "completion": "text", "responses": "text", "embedding": "embedding",
    "image_generation": "image", "audio_transcription": "stt", "audio_speech": "tts", "video_generation": "video",
}
# modes of endpoints Spectra does not track: their entries are skipped whole
SKIPPED_MODES = {"moderation", "rerank", "ocr", "search", "realtime"}
MILLION = Decimal(1000000)

TIER_SUFFIXES = (("standard", ""), ("batch", "_batches"), ("flex", "_flex"), ("priority", "_priority"))
LONG_CONTEXT = ((200000, "_above_200k_tokens"), (128000, "_above_128k_tokens"))
# output key -> source base key; all USD per token in the source, per 1M tokens in the output
TOKEN_PRICES = (
    ("input_per_1m_tokens", "input_cost_per_token"),
    ("output_per_1m_tokens", "output_cost_per_token"),
    ("cached_input_per_1m_tokens", "cache_read_input_token_cost"),
    ("cache_write_per_1m_tokens", "cache_creation_input_token_cost"),
    ("cache_write_1h_per_1m_tokens", "cache_creation_input_token_cost_above_1hr"),
    ("audio_input_per_1m_tokens", "input_cost_per_audio_token"),
    ("audio_output_per_1m_tokens", "output_cost_per_audio_token"),
    ("image_input_per_1m_tokens", "input_cost_per_image_token"),
    ("image_output_per_1m_tokens", "output_cost_per_image_token"),
    ("reasoning_per_1m_tokens", "output_cost_per_reasoning_token"),
)
# token price kinds that exist per tier / above a threshold in the source (others would be new: FIELDS fails)
TIERED = ("input_cost_per_token", "output_cost_per_token", "cache_read_input_token_cost")
THRESHOLDED = ("input_cost_per_token", "output_cost_per_token", "cache_read_input_token_cost",
               "cache_creation_input_token_cost")


def _fields():
    consumed = {"litellm_provider", "mode", "input_cost_per_token_cache_hit", "input_cost_per_image",
                "output_cost_per_image", "input_cost_per_pixel", "output_cost_per_pixel", "input_cost_per_second",
                "output_cost_per_second", "input_cost_per_character"}
    for _, base in TOKEN_PRICES:
        consumed.add(base)
    for base in TIERED:
        for _, suffix in TIER_SUFFIXES:
            consumed.add(base + suffix)
    for base in THRESHOLDED:
        for _, suffix in LONG_CONTEXT:
            consumed.add(base + suffix)
    ignored = {
        # not prices
        "max_tokens", "max_input_tokens", "max_output_tokens", "max_query_tokens", "max_audio_length_hours",
        "max_audio_per_prompt", "max_images_per_prompt", "max_pdf_size_mb", "max_video_length",
        "max_videos_per_prompt", "deprecation_date", "source", "metadata", "rpm", "tpm", "rpd",
        "supported_endpoints", "supported_modalities", "supported_output_modalities", "supported_resolutions",
        "output_vector_size", "tool_use_system_prompt_tokens", "inference_geo", "supported_regions",
        # prices of things Spectra does not record (tool calls, pages, queries, video), never of tokens it prices
        "search_context_cost_per_query", "code_interpreter_cost_per_session", "annotation_cost_per_page",
        "ocr_cost_per_page", "input_cost_per_query", "input_cost_per_video_per_second",
        "input_cost_per_video_per_second_above_128k_tokens", "output_cost_per_video_per_second",
        # prices of modalities by unit for chat models that Gemini bills by tokens; all 0 in the source; a
        # call with audio tokens but no audio token price is left unpriced by the runtime
        "input_cost_per_audio_per_second", "input_cost_per_audio_per_second_above_128k_tokens",
        "input_cost_per_character_above_128k_tokens", "output_cost_per_character",
        "output_cost_per_character_above_128k_tokens", "input_cost_per_image_above_128k_tokens",
        # cached audio/image input: the runtime does not price a call whose cache held audio or image tokens
        "cache_read_input_audio_token_cost", "cache_creation_input_audio_token_cost",
        "cache_read_input_image_token_cost",
        # one-hour cache writes of a long-context request (Claude on Bedrock): the runtime's long-context price
        # covers input, output, cache reads and 5-minute writes; such a call keeps the 1-hour write rate
        "cache_creation_input_token_cost_above_1hr_above_200k_tokens",
    }
    return consumed, ignored


CONSUMED, IGNORED = _fields()

# Rules the providers document, applied where the source leaves a price out:
# - OpenAI, prompt caching guide (developers.openai.com/api/docs/guides/prompt-caching): caching is automatic
#   and has no additional fees: a cache write bills as ordinary input of its tier.
# - Anthropic, batch processing (docs.claude.com/en/docs/build-with-claude/batch-processing#pricing): batches
#   cost 50% of standard prices, and the prompt-caching multipliers stack with the batch discount
#   (docs.claude.com/en/docs/build-with-claude/prompt-caching#pricing): every batch price is half the standard one.
DOCUMENTED_RULES = ("openai: cache writes at the tier's input price (no write fee); "
                    "anthropic: batch tier = 50% of every standard price (discounts stack with caching)")

# OpenAI's published DALL-E prices per image (developers.openai.com/api/docs/pricing, "Image generation"):
# used only where they agree with the source's per-pixel price within 0.1%.
DALL_E_PRICES = {
    "standard/1024-x-1024/dall-e-3": "0.04", "standard/1024-x-1792/dall-e-3": "0.08",
    "standard/1792-x-1024/dall-e-3": "0.08", "hd/1024-x-1024/dall-e-3": "0.08",
    "hd/1024-x-1792/dall-e-3": "0.12", "hd/1792-x-1024/dall-e-3": "0.12",
    "256-x-256/dall-e-2": "0.016", "512-x-512/dall-e-2": "0.018", "1024-x-1024/dall-e-2": "0.02",
}
VARIANT = re.compile(r"^(?:([a-z]+)/)?(\d+)-x-(\d+)/(.+)$")


class SourceError(Exception):
    pass


def fmt(d):
    """Plain decimal text, no exponent, no trailing zeros."""
    s = format(d.normalize(), "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s or "0"


def dec(v, where):
    """A price: a number (or a numeric string); absent is None; anything else stops the generation."""
    if v is None:
        return None
    if isinstance(v, bool):
        raise SourceError(f"{where}: a boolean where a price was expected")
    if isinstance(v, (int, Decimal)):
        d = Decimal(v)
    elif isinstance(v, str):
        try:
            d = Decimal(v.strip())
        except InvalidOperation:
            raise SourceError(f"{where}: price {v!r} is not a number")
    else:
        raise SourceError(f"{where}: price of type {type(v).__name__}")
    if d < 0:
        raise SourceError(f"{where}: negative price {v}")
    return d


def per_million(src, key, where):
    d = dec(src.get(key), where + "." + key)
    return None if d is None else fmt(d * MILLION)


def tier(src, suffix, where):
    inp = per_million(src, "input_cost_per_token" + suffix, where)
    out = per_million(src, "output_cost_per_token" + suffix, where)
    if inp is None or out is None:
        return None
    t = {"input_per_1m_tokens": inp, "output_per_1m_tokens": out}
    cached = per_million(src, "cache_read_input_token_cost" + suffix, where)
    if cached is None and suffix == "":
        cached = per_million(src, "input_cost_per_token_cache_hit", where)  # DeepSeek's name for it
    if cached is not None:
        t["cached_input_per_1m_tokens"] = cached
    if suffix == "":
        for out_key, base in TOKEN_PRICES[3:]:
            v = per_million(src, base, where)
            if v is not None:
                t[out_key] = v
    elif suffix in ("_above_200k_tokens", "_above_128k_tokens"):
        v = per_million(src, "cache_creation_input_token_cost" + suffix, where)
        if v is not None:
            t["cache_write_per_1m_tokens"] = v
    return t


def entry(src, provider, where):
    for k in src:
        if k not in CONSUMED and k not in IGNORED and not k.startswith("supports_"):
            raise SourceError(f"{where}: unknown field {k!r}: add it to FIELDS (consumed, or ignored and why)")
    mode = src.get("mode")
    if mode in SKIPPED_MODES:
        return None
    if mode not in MODES:
        raise SourceError(f"{where}: unknown mode {mode!r}")
    e = {"type": MODES[mode]}
    tiers = {}
    std = tier(src, "", where)
    if std is None and mode == "image_generation":
        # gpt-image-1: no text output price; the images endpoint outputs image tokens only
        inp = per_million(src, "input_cost_per_token", where)
        img_out = per_million(src, "output_cost_per_image_token", where)
        if inp is not None and img_out is not None:
            std = {"input_per_1m_tokens": inp, "output_per_1m_tokens": img_out}
            for out_key, base in (("cached_input_per_1m_tokens", "cache_read_input_token_cost"),
                                  ("image_input_per_1m_tokens", "input_cost_per_image_token"),
                                  ("image_output_per_1m_tokens", "output_cost_per_image_token"),
                                  ("audio_input_per_1m_tokens", "input_cost_per_audio_token")):
                v = per_million(src, base, where)
                if v is not None:
                    std[out_key] = v
    if std is not None:
        tiers["standard"] = std
    for name, suffix in TIER_SUFFIXES[1:]:
        t = tier(src, suffix, where)
        if t is not None:
            tiers[name] = t
    if provider == "openai":
        for t in tiers.values():  # documented: no cache-write fee
            t.setdefault("cache_write_per_1m_tokens", t["input_per_1m_tokens"])
    if provider == "anthropic" and std is not None and "batch" not in tiers:
        tiers["batch"] = {k: fmt(Decimal(v) / 2) for k, v in std.items()}  # documented: 50%, stacking
    if tiers:
        e["tiers"] = tiers
    for threshold, suffix in LONG_CONTEXT:
        t = tier(src, suffix, where)
        if t is not None and std is not None:
            t["above_input_tokens"] = threshold
            e["long_context"] = t
            break
    if mode == "image_generation":
        image = dec(src.get("output_cost_per_image"), where) or dec(src.get("input_cost_per_image"), where)
        if image is not None:
            e["per_image"] = fmt(image)
    if mode == "audio_transcription":
        sec = dec(src.get("input_cost_per_second"), where)
        if sec is not None:
            e["per_input_second"] = fmt(sec)
    if mode == "audio_speech":
        sec = dec(src.get("output_cost_per_second"), where)
        if sec is not None:
            e["per_output_second"] = fmt(sec)
        chars = per_million(src, "input_cost_per_character", where)
        if chars is not None:
            e["per_1m_input_characters"] = chars
    if len(e) == 1:
        return None  # no price at all
    return e


def pixel_priced(model, src, where, report):
    """A DALL-E {quality}/{size}/{model} entry priced per pixel: OpenAI's per-image price when they agree."""
    m = VARIANT.match(model)
    pixel = dec(src.get("input_cost_per_pixel"), where)
    if m is None or pixel is None or pixel == 0:
        return None
    documented = DALL_E_PRICES.get(model)
    pixels = int(m.group(2)) * int(m.group(3))
    derived = pixel * pixels
    if documented is None:
        report.append(f"{where}: priced per pixel only ({fmt(derived)} per image); no published per-image price "
                      f"to confirm it: left unpriced")
        return None
    # the source rounds (or cuts) the pixel price to a few digits: agree within one unit of its last digit
    tolerance = Decimal(1).scaleb(pixel.as_tuple().exponent) * pixels
    if abs(derived - Decimal(documented)) > tolerance:
        report.append(f"{where}: per-pixel price gives {fmt(derived)} per image, OpenAI publishes {documented}: "
                      f"left unpriced")
        return None
    return {"type": "image", "per_image": documented}


def merge(a, b):
    """Two entries of one model that state no price differently: their union; else None (a conflict)."""
    out = dict(a)
    for k, v in b.items():
        if k not in out:
            out[k] = v
        elif isinstance(v, dict) and isinstance(out[k], dict):
            m = merge(out[k], v)
            if m is None:
                return None
            out[k] = m
        elif out[k] != v:
            return None
    return out


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

    chosen = {}  # (provider, model) -> (priority, entry, source key)
    conflicts = {}  # (provider, model) -> [source keys]
    report = []
    try:
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
            elif provider in PROVIDER_PREFIXES and model.startswith(PROVIDER_PREFIXES[provider]):
                model = model[len(PROVIDER_PREFIXES[provider]):]
            if provider in PLAIN_MODEL_IDS_ONLY and "/" in model:
                continue
            if provider in ONLY_MODES and src.get("mode") not in ONLY_MODES[provider]:
                continue
            e = entry(src, provider, key)
            if e is None and src.get("mode") == "image_generation" and provider == "openai":
                e = pixel_priced(model, src, key, report)
            elif e is None and "input_cost_per_pixel" in src:
                report.append(f"{key}: priced per pixel only: left unpriced")
            if e is None:
                continue
            k = (provider, model)
            if k in chosen:
                prev_priority, prev, prev_key = chosen[k]
                if prev_priority < priority:
                    continue
                if prev_priority == priority:
                    merged = merge(prev, e)
                    if merged is None:
                        conflicts.setdefault(k, [prev_key]).append(key)
                    else:
                        chosen[k] = (priority, merged, prev_key)
                    continue
            chosen[k] = (priority, e, key)
    except SourceError as err:
        print(f"generate_pricing_catalog: {err}", file=sys.stderr)
        return 1

    for k, keys in sorted(conflicts.items()):
        del chosen[k]
        report.append(f"{k[0]}/{k[1]}: {len(keys)} entries at the same priority with different prices "
                      f"({', '.join(keys)}): left unpriced")

    catalog = {}
    for (provider, model), (_, e, _) in chosen.items():
        catalog.setdefault(provider, {})[model] = e

    lines = ["{"]
    lines.append('  "_notice": "Generated by scripts/generate_pricing_catalog.py from LiteLLM model_prices_and_context_window.json. '
                 'Prices: Copyright (c) 2023 Berri AI, MIT License (https://github.com/BerriAI/litellm/blob/main/LICENSE). '
                 'Do not edit by hand: regenerate.",')
    lines.append('  "_source": ' + json.dumps({
        "file": source.name, "sha256": hashlib.sha256(raw).hexdigest(), "entries": len(data)}) + ",")
    lines.append('  "_units": "every key names its unit: *_per_1m_tokens USD per 1M tokens, per_1m_input_characters USD '
                 'per 1M characters, per_image USD per image, per_input_second / per_output_second USD per second of '
                 'audio; long_context prices the whole request once input tokens exceed above_input_tokens; an absent '
                 'price is unknown, not free",')
    lines.append('  "_documented_rules": ' + json.dumps(DOCUMENTED_RULES) + ",")
    lines.append('  "_left_unpriced": ' + json.dumps(sorted(report), indent=None) + ",")
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
    print(f"{output}: {total} models of {len(catalog)} providers; {len(report)} left unpriced:")
    for line in sorted(report):
        print("  " + line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
