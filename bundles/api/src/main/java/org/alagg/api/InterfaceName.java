package org.alagg.api;

/** Linux network interface names: what the kernel accepts, checked before anything is opened. */
public final class InterfaceName {
    /** The kernel's IFNAMSIZ less the terminating NUL. */
    public static final int MAX_LENGTH = 15;

    private InterfaceName() {
    }

    /**
     * Returns the name when the kernel would accept it.
     *
     * @throws IllegalArgumentException naming what is wrong with it
     */
    public static String check(String name) {
        if (name.isEmpty()) {
            throw new IllegalArgumentException("interface name is empty");
        }
        if (name.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("interface name '" + name + "' is too long: " + name.length()
                    + " characters, Linux allows at most " + MAX_LENGTH);
        }
        if (name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("interface name '" + name + "' is not allowed");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c == ':' || Character.isWhitespace(c) || c < 0x21 || c > 0x7E) {
                throw new IllegalArgumentException("interface name '" + name + "' contains '" + c
                        + "'; Linux interface names have no '/', ':', spaces or non-ASCII characters");
            }
        }
        return name;
    }
}
