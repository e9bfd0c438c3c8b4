# addflag without require is a compile error (SV-02)
addflag "\\Seen";
