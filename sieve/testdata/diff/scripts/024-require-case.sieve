# capability names in require are case-sensitive: "FileInto" is unknown (SV-02; Pigeonhole's view recorded)
require "FileInto"; keep;
