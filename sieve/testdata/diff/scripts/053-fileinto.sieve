# fileinto cancels the implicit keep (SV-04, SV-14)
require "fileinto"; fileinto "Work";
