# requiring an unsupported capability is a compile error (SV-02)
require "x-no-such-ext"; keep;
