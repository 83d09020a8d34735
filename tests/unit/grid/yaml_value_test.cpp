// yaml_scalar_to_json: YAML scalars become typed JSON the way a sweep author expects.
#include <gtest/gtest.h>

#include "fpt/core/error.h"
#include "fpt/io/yaml_value.h"

namespace fpt::io {
namespace {

nlohmann::json scalar(const std::string& text) {
  return yaml_scalar_to_json(YAML::Load("v: " + text)["v"], "test");
}

TEST(YamlValue, IntegersStayIntegers) {
  EXPECT_TRUE(scalar("0").is_number_integer());
  EXPECT_EQ(scalar("0"), 0);
  EXPECT_EQ(scalar("-12"), -12);
  EXPECT_EQ(scalar("+7"), 7);
  EXPECT_EQ(scalar("300"), 300);
}

TEST(YamlValue, RealsIncludingExponentsAreDoubles) {
  for (const char* text : {"1e-3", "1e4", "0.5", ".5", "2.", "1.5E+2", "-3e-05"}) {
    const nlohmann::json value = scalar(text);
    EXPECT_TRUE(value.is_number_float()) << text << " -> " << value.dump();
  }
  EXPECT_DOUBLE_EQ(scalar("1e-3").get<double>(), 0.001);
  EXPECT_DOUBLE_EQ(scalar("1e4").get<double>(), 10000.0);
}

TEST(YamlValue, BooleansNullsAndStrings) {
  EXPECT_EQ(scalar("true"), true);
  EXPECT_EQ(scalar("False"), false);
  EXPECT_TRUE(scalar("~").is_null());
  EXPECT_TRUE(scalar("null").is_null());
  EXPECT_EQ(scalar("gpt2"), "gpt2");
  EXPECT_EQ(scalar("bit-xor"), "bit-xor");
  EXPECT_EQ(scalar("yes"), "yes");  // YAML 1.2: only true/false are booleans
  EXPECT_EQ(scalar("1e"), "1e");
  EXPECT_EQ(scalar("0x10"), "0x10");
  EXPECT_EQ(scalar("input,output"), "input,output");
}

TEST(YamlValue, QuotedScalarsAreStrings) {
  EXPECT_EQ(scalar("\"1e-3\""), "1e-3");
  EXPECT_EQ(scalar("'0'"), "0");
  EXPECT_EQ(scalar("!!str 5"), "5");
  EXPECT_EQ(scalar("\"true\""), "true");
}

TEST(YamlValue, ListIsAnErrorNamingContext) {
  try {
    yaml_scalar_to_json(YAML::Load("v: [1, 2]")["v"], "f.yaml:3: key 'lr'");
    FAIL() << "no error for a list";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("f.yaml:3: key 'lr'"), std::string::npos);
    EXPECT_NE(std::string(error.what()).find("a list"), std::string::npos);
  }
}

TEST(YamlValue, ParseErrorNamesFileAndOneBasedLine) {
  try {
    parse_yaml("a: 1\nb: 2\nc: [1, 2\n", "sweeps/bad.yaml");
    FAIL() << "no error for malformed YAML";
  } catch (const Error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("sweeps/bad.yaml:"), std::string::npos) << message;
    EXPECT_NE(message.find("malformed YAML"), std::string::npos) << message;
  }
}

TEST(YamlValue, LinesAreOneBased) {
  const YAML::Node root = parse_yaml("a: 1\nb: 2\n", "f.yaml");
  EXPECT_EQ(yaml_line(root["a"]), 1);
  EXPECT_EQ(yaml_line(root["b"]), 2);
  EXPECT_EQ(yaml_where("f.yaml", root["b"]), "f.yaml:2");
}

}  // namespace
}  // namespace fpt::io
