require ["include", "fileinto"];
if header :contains "Subject" "Lunch" {
    fileinto "Lunch";
    return;
}
fileinto "NotLunch";
