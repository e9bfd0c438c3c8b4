# require after another command is a compile error (SV-02)
keep; require "fileinto";
