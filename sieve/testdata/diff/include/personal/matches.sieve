require ["variables", "fileinto"];
if header :matches "Subject" "* on *" {
    fileinto "inner-${2}";
}
