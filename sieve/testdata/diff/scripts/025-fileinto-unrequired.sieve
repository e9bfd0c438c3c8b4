# fileinto without require is unknown (SV-02)
fileinto "Work";
