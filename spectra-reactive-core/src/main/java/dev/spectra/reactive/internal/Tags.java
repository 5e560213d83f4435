package dev.spectra.reactive.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;

import org.jspecify.annotations.Nullable;

/** Tag lists: checked, distinct, in the order first added; immutable. */
public final class Tags {

    private static final int MAX_TAG_LENGTH = 255;

    private Tags() {
    }

    /**
     * Checks tags and returns them distinct and immutable.
     *
     * @param tags the tags
     * @return the distinct tags in order
     * @throws IllegalArgumentException when a tag is null, blank or longer than 255 characters
     */
    public static List<String> of(@Nullable Collection<String> tags) {
        if (tags == null) {
            throw new IllegalArgumentException("tags must not be null");
        }
        if (tags.isEmpty()) {
            return List.of();
        }
        LinkedHashSet<String> set = new LinkedHashSet<>();
        for (String t : tags) {
            set.add(check(t));
        }
        return List.copyOf(set);
    }

    /**
     * Checks one tag.
     *
     * @param tag the tag
     * @return the tag
     * @throws IllegalArgumentException when null, blank or too long
     */
    public static String check(@Nullable String tag) {
        if (tag == null) {
            throw new IllegalArgumentException("tag must not be null");
        }
        if (tag.isBlank()) {
            throw new IllegalArgumentException("tag \"" + tag + "\" must not be blank");
        }
        if (tag.length() > MAX_TAG_LENGTH) {
            throw new IllegalArgumentException("tag \"" + tag.substring(0, 40) + "…\" is " + tag.length()
                    + " characters, over the limit of " + MAX_TAG_LENGTH);
        }
        return tag;
    }

    /**
     * The union of two tag lists, lower first.
     *
     * @param lower tags first in order
     * @param higher tags added after
     * @return the union (one of the two when the other is empty)
     */
    public static List<String> union(List<String> lower, List<String> higher) {
        if (higher.isEmpty()) {
            return lower;
        }
        if (lower.isEmpty()) {
            return higher;
        }
        LinkedHashSet<String> set = new LinkedHashSet<>(lower);
        set.addAll(higher);
        return set.size() == lower.size() ? lower : List.copyOf(new ArrayList<>(set));
    }
}
