package dev.spectra.reactive.provider;

import java.math.BigDecimal;

import dev.spectra.reactive.Usage;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * OpenAI's image and audio endpoints, whose usage is partly in units.
 *
 * <ul>
 *   <li>Images ({@code /v1/images/generations}, {@code edits}, {@code variations}): images = number of
 *       {@code data} entries; tokens from {@code usage} when the model reports them ({@code gpt-image-1}), with
 *       image input tokens ({@code input_tokens_details.image_tokens}) and image output tokens
 *       ({@code output_tokens_details.image_tokens}, else all output tokens) apart, because they are priced
 *       apart; the answer's {@code quality} and {@code size}, for models priced per image.
 *       Streamed ({@code gpt-image-1} with {@code stream: true}): each {@code image_generation.completed} or
 *       {@code image_edit.completed} event counts one image and carries the usage.</li>
 *   <li>Audio (transcriptions, translations, speech): tokens from {@code usage} ({@code gpt-4o-transcribe}), or
 *       audio seconds
 *       from {@code usage.seconds} ({@code "type": "duration"}) or the verbose answer's {@code duration}.
 *       Streamed: the event with a {@code usage} object ({@code transcript.text.done}, {@code speech.audio.done})
 *       carries it.</li>
 * </ul>
 *
 * <p>A {@code usage} object with a malformed count among those {@link OpenAiUsage} reads is unknown, as if
 * absent (the images are still counted from {@code data}, a verbose {@code duration} still read); a
 * {@code duration} that is read and is not one makes the usage unknown. Members never read never do.
 */
final class OpenAiMediaReader extends FormatReader {

    static final OpenAiMediaReader IMAGES = new OpenAiMediaReader(true);
    static final OpenAiMediaReader AUDIO = new OpenAiMediaReader(false);

    /** What makes an event worth parsing: an error (bit 0) and, for audio, a usage object or a duration. */
    private static final KeyScan KEYS = new KeyScan("error", "", "usage", "{", "duration", "");
    private static final int ERROR = 1;
    private static final byte[] TYPE = ByteScan.ascii("\"type\"");
    private static final byte[] COMPLETED = ByteScan.ascii(".completed");
    private static final byte[] PARTIAL_IMAGE = ByteScan.ascii(".partial_image");
    private static final byte[] DELTA = ByteScan.ascii(".delta");

    private final boolean images;

    private OpenAiMediaReader(boolean images) {
        this.images = images;
    }

    @Override
    void read(JsonNode body, DetailsBuilder out) {
        readError(body, out);
        out.header(JsonFields.text(body, "model"), JsonFields.text(body, "id"));
        JsonNode usage = JsonFields.obj(body, "usage");
        UsageParts p = images ? OpenAiUsage.readImages(usage) : OpenAiUsage.read(usage);
        if (images) {
            out.imageQuality = JsonFields.text(body, "quality");
            out.imageSize = JsonFields.text(body, "size");
            JsonNode data = JsonFields.array(body, "data");
            if (data != null || p != null) {
                if (p == null) {
                    p = new UsageParts();
                }
                p.images = data == null ? 0L : (long) data.size();
            }
        } else if (p == null || p.audioSeconds == null || p.audioSeconds.signum() == 0) {
            try {
                BigDecimal duration = JsonFields.decimal(body, "duration"); // the verbose answer's
                if (duration != null) {
                    if (p == null) {
                        p = new UsageParts();
                    }
                    p.audioSeconds = duration;
                }
            } catch (JsonFields.MalformedCount e) {
                p = null; // a duration read that is not one: the usage is unknown
            }
        }
        if (p != null) {
            out.usage = p.toUsage();
        }
    }

    @Override
    FormatStream newStream() {
        return new Stream(images);
    }

    static final class Stream extends FormatStream {
        private final boolean images;
        private long imageCount;
        private @Nullable UsageParts parts;

        Stream(boolean images) {
            super(images ? IMAGES : AUDIO);
            this.images = images;
        }

        @Override
        boolean isWholeBody(JsonNode node) {
            return JsonFields.text(node, "type") == null;
        }

        @Override
        boolean mayMatter(byte[] name, int nameLen, byte[] d, int off, int len) {
            if (images) {
                if ((KEYS.scan(d, off, len, ERROR) & ERROR) != 0) {
                    return true;
                }
                long t = ByteScan.stringValue(d, off, len, TYPE);
                if (t >= 0) {
                    int end = (int) t;
                    int start = (int) (t >>> 32);
                    if (end - start >= COMPLETED.length) {
                        return ByteScan.rangeEquals(d, ((long) (end - COMPLETED.length) << 32) | end, COMPLETED);
                    }
                    return false;
                }
                return true; // no event type: a whole answer
            }
            return KEYS.scan(d, off, len, 0) != 0;
        }

        @Override
        boolean skippable(byte[] name, int nameLen, byte[] d, int len) {
            long t = ByteScan.stringValue(d, 0, len, TYPE);
            if (t < 0) {
                return false;
            }
            // partial images and audio or text deltas: large, and never a usage, an error or a completion
            return ByteScan.rangeEndsWith(d, t, PARTIAL_IMAGE) || ByteScan.rangeEndsWith(d, t, DELTA);
        }

        @Override
        FormatStream copy() {
            Stream c = copyInto(new Stream(images));
            c.imageCount = imageCount;
            c.parts = parts;
            return c;
        }

        @Override
        void onJson(JsonNode event) {
            readError(event, out);
            String type = JsonFields.text(event, "type");
            if (images && type != null && type.endsWith(".completed")) {
                imageCount++;
            }
            JsonNode usage = JsonFields.obj(event, "usage");
            UsageParts p = images ? OpenAiUsage.readImages(usage) : OpenAiUsage.read(usage);
            if (p != null) {
                parts = p;
            }
            if (images) {
                String q = JsonFields.text(event, "quality");
                if (q != null) {
                    out.imageQuality = q;
                }
                String s = JsonFields.text(event, "size");
                if (s != null) {
                    out.imageSize = s;
                }
            }
        }

        @Override
        @Nullable Usage usage() {
            if (parts == null && imageCount == 0) {
                return null;
            }
            UsageParts p = parts == null ? new UsageParts() : parts.copy();
            if (images) {
                p.images = imageCount;
            }
            return p.toUsage();
        }
    }
}
