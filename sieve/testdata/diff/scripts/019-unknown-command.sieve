# an unknown command is a compile error (SV-02)
frobnicate;
