package dev.spectra.reactive.testsupport.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A small, strict JSON scanner over bytes that keeps every value's byte range, so the corpus can rewrite a fixture
 * in place (one value, one member) and leave every other byte as the provider sent it. Only for the fixtures,
 * which are valid JSON: anything else throws.
 */
final class JsonScan {

    static final int OBJECT = 1;
    static final int ARRAY = 2;
    static final int STRING = 3;
    static final int NUMBER = 4;
    static final int LITERAL = 5;

    /** A value: its type and byte range [start, end). */
    static final class Node {
        final int type;
        final int start;
        int end;
        final List<Member> members = new ArrayList<>();
        final List<Node> items = new ArrayList<>();

        Node(int type, int start) {
            this.type = type;
            this.start = start;
        }
    }

    /** An object member: the offset of its key's opening quote, the key, the value. */
    record Member(int keyStart, String key, Node value) {
    }

    private final byte[] b;
    private final int end;
    private int i;

    private JsonScan(byte[] b, int off, int end) {
        this.b = b;
        this.i = off;
        this.end = end;
    }

    /** Scans exactly one JSON value spanning [off, end) (whitespace around it allowed). */
    static Node parse(byte[] b, int off, int end) {
        JsonScan s = new JsonScan(b, off, end);
        s.ws();
        Node n = s.value();
        s.ws();
        if (s.i != end) {
            throw new IllegalArgumentException("trailing bytes at " + s.i);
        }
        return n;
    }

    /** Calls {@code visit} with every member whose key is one of {@code keys}, outermost only. */
    static void members(Node n, java.util.Set<String> keys, Consumer<Member> visit) {
        for (Member m : n.members) {
            if (keys.contains(m.key())) {
                visit.accept(m);
            } else {
                members(m.value(), keys, visit);
            }
        }
        for (Node item : n.items) {
            members(item, keys, visit);
        }
    }

    private Node value() {
        if (i >= end) {
            throw new IllegalArgumentException("value expected at " + i);
        }
        byte c = b[i];
        Node n;
        if (c == '{') {
            n = new Node(OBJECT, i++);
            ws();
            if (peek() == '}') {
                i++;
            } else {
                while (true) {
                    ws();
                    int keyStart = i;
                    String key = string();
                    ws();
                    expect(':');
                    ws();
                    n.members.add(new Member(keyStart, key, value()));
                    ws();
                    if (peek() == ',') {
                        i++;
                        continue;
                    }
                    expect('}');
                    break;
                }
            }
        } else if (c == '[') {
            n = new Node(ARRAY, i++);
            ws();
            if (peek() == ']') {
                i++;
            } else {
                while (true) {
                    ws();
                    n.items.add(value());
                    ws();
                    if (peek() == ',') {
                        i++;
                        continue;
                    }
                    expect(']');
                    break;
                }
            }
        } else if (c == '"') {
            n = new Node(STRING, i);
            string();
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            n = new Node(NUMBER, i);
            while (i < end && (b[i] == '-' || b[i] == '+' || b[i] == '.' || b[i] == 'e' || b[i] == 'E'
                    || (b[i] >= '0' && b[i] <= '9'))) {
                i++;
            }
        } else if (c == 't' || c == 'f' || c == 'n') {
            n = new Node(LITERAL, i);
            while (i < end && b[i] >= 'a' && b[i] <= 'z') {
                i++;
            }
        } else {
            throw new IllegalArgumentException("unexpected byte " + (c & 0xff) + " at " + i);
        }
        n.end = i;
        return n;
    }

    private String string() {
        expect('"');
        int from = i;
        StringBuilder out = null;
        while (true) {
            if (i >= end) {
                throw new IllegalArgumentException("unterminated string");
            }
            byte c = b[i];
            if (c == '"') {
                String s = out != null ? out.toString() : new String(b, from, i - from, StandardCharsets.UTF_8);
                i++;
                return s;
            }
            if (c == '\\') {
                if (out == null) {
                    out = new StringBuilder(new String(b, from, i - from, StandardCharsets.UTF_8));
                }
                i += 2; // keys of the fixtures have no escapes; values are kept as bytes anyway
                out.append('?');
                continue;
            }
            if (out != null) {
                out.append((char) c);
            }
            i++;
        }
    }

    private int peek() {
        return i < end ? b[i] : -1;
    }

    private void expect(char c) {
        if (i >= end || b[i] != c) {
            throw new IllegalArgumentException("'" + c + "' expected at " + i);
        }
        i++;
    }

    private void ws() {
        while (i < end && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r')) {
            i++;
        }
    }
}
