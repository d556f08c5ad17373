using System.Globalization;
using System.Text;
using System.Text.Json;
using Market.Web.Api;
using Market.Web.Grid;
using static Market.Web.Tests.Grid.GridSamples;

namespace Market.Web.Tests.Grid;

/// <summary>Reading a community's network from CSV and JSON: all or nothing, every error named by line and node id.</summary>
[Trait("Database", "Independent")]
public sealed class NetworkDefinitionParserTests
{
    private static async Task<NetworkError> SingleErrorAsync(string csv)
    {
        var result = await ParseCsvAsync(csv);

        result.Network.ShouldBeNull();
        return result.Errors.ShouldHaveSingleItem();
    }

    [Fact]
    public async Task ParseCsv_SampleNetwork_NodesInGivenOrderWithKindsCapacitiesAndMeters()
    {
        var result = await ParseCsvAsync(NetworkCsv);

        result.Errors.ShouldBeEmpty();
        var network = result.Network.ShouldNotBeNull();
        network.Nodes.Select(n => n.Id).ShouldBe(["ROOT", "T1", "T2", "F1", "F2", "F3", "C1", "C2", "C3", "C4", "C5"]);
        network.Root.ShouldBe(new NetworkNodeDefinition("ROOT", null, NetworkNodeKind.Community, null, null, null));
        network.Nodes[3].ShouldBe(new NetworkNodeDefinition("F1", "T1", NetworkNodeKind.Feeder, 100_000, 120_000, null));
        network.Nodes[10].ShouldBe(new NetworkNodeDefinition("C5", "F3", NetworkNodeKind.Connection, null, null, "M-5"));
        network.ConnectionCount.ShouldBe(5);
    }

    [Fact]
    public async Task ParseCsv_SampleNetwork_LooksUpByNodeIdAndByMeterId()
    {
        var network = (await ParseCsvAsync(NetworkCsv)).Network!;

        network.TryGetNode("C4", out var c4).ShouldBeTrue();
        c4!.Kind.ShouldBe(NetworkNodeKind.Connection);
        network.TryGetIndex("F2", out var f2).ShouldBeTrue();
        network.ParentIndex(f2).ShouldBe(1);
        network.ParentIndex(network.RootIndex).ShouldBe(-1);
        network.TryGetConnectionByMeter("M-3", out var c3).ShouldBeTrue();
        c3!.Id.ShouldBe("C3");
        network.TryGetNode("c4", out _).ShouldBeFalse();
        network.TryGetIndex("F9", out var missing).ShouldBeFalse();
        missing.ShouldBe(-1);
        network.TryGetConnectionByMeter("M-9", out _).ShouldBeFalse();
    }

    [Fact]
    public async Task ParseCsv_KindInCapitalsAndBlankLines_Accepted()
    {
        var csv = NetworkCsvWith((3, "T1,ROOT,Transformer,400000,400000,"), (13, ""), (14, "C6,F3,CONNECTION,,,M-6"));

        var result = await ParseCsvAsync(csv);

        result.Errors.ShouldBeEmpty();
        result.Network!.Nodes[^1].Kind.ShouldBe(NetworkNodeKind.Connection);
    }

    [Fact]
    public async Task ParseCsv_ParentNotInTheNetwork_OrphanNamedWithItsLine()
    {
        var error = await SingleErrorAsync(NetworkCsvWith((13, "C9,F9,connection,,,M-9")));

        error.Line.ShouldBe(13);
        error.Message.ShouldBe("line 13: parent \"F9\" is not a node of the network (node \"C9\").");
    }

    [Fact]
    public async Task ParseCsv_TransformerAndFeederParentsOfEachOther_CycleNamedOnceWithItsPath()
    {
        var csv = """
            node_id,parent_id,kind,export_capacity_w,import_capacity_w,meter_id
            ROOT,,community,,,
            T0,ROOT,transformer,,,
            T1,F2,transformer,,,
            F2,T1,feeder,,,
            C1,F2,connection,,,M-1
            """;

        var error = await SingleErrorAsync(csv);

        error.Line.ShouldBe(4);
        error.Message.ShouldBe("line 4: node \"T1\" and its parents form a cycle: T1 → F2 → T1.");
    }

    [Fact]
    public async Task ParseCsv_NodeIsItsOwnParent_ReportedAsACycle()
    {
        var error = await SingleErrorAsync(NetworkCsvWith((5, "F1,F1,feeder,,,")));

        error.Message.ShouldBe("line 5: node \"F1\" and its parents form a cycle: F1 → F1.");
    }

    [Fact]
    public async Task ParseCsv_LongCycle_ListedShortened()
    {
        var lines = new StringBuilder(NetworkDefinitionParser.Header).Append("\nROOT,,community,,,\n");
        for (var i = 0; i < 20; i++)
        {
            lines.Append(CultureInfo.InvariantCulture, $"X{i},X{(i + 1) % 20},feeder,,,\n");
        }

        var error = await SingleErrorAsync(lines.ToString());

        error.Line.ShouldBe(3);
        error.Message.ShouldBe("line 3: node \"X0\" and its parents form a cycle: X0 → X1 → X2 → X3 → X4 → X5 → X6 → X7 → X8 → X9 → X10 → X11 → … (20 nodes) → X0.");
    }

    [Fact]
    public async Task ParseCsv_NodeIdTwice_SecondNamedWithTheFirstLine()
    {
        var error = await SingleErrorAsync(NetworkCsvWith((13, "C2,F2,connection,,,M-7")));

        error.Message.ShouldBe("line 13: node id \"C2\" is used twice (first on line 9).");
    }

    [Fact]
    public async Task ParseCsv_NodeIdsDifferingInCase_AreDifferentNodes()
    {
        var result = await ParseCsvAsync(NetworkCsvWith((13, "c2,F2,connection,,,M-7")));

        result.Errors.ShouldBeEmpty();
    }

    [Fact]
    public async Task ParseCsv_TwoCommunityNodes_SecondRefused()
    {
        var error = await SingleErrorAsync(NetworkCsvWith((13, "ROOT2,,community,,,")));

        error.Message.ShouldBe("line 13: \"ROOT2\" is a second community node; a network has exactly one root (the first is \"ROOT\" on line 2).");
    }

    [Fact]
    public async Task ParseCsv_NoCommunityNode_OneErrorForTheNetwork()
    {
        var csv = """
            node_id,parent_id,kind,export_capacity_w,import_capacity_w,meter_id
            T1,ROOT,transformer,,,
            """;

        var result = await ParseCsvAsync(csv);

        result.Errors.Select(e => (e.Line, e.Message)).ShouldBe(
        [
            (0, "The network has no community node; exactly one node of kind community, without a parent, is the root."),
            (2, "line 2: parent \"ROOT\" is not a node of the network (node \"T1\")."),
        ]);
    }

    [Fact]
    public async Task ParseCsv_HeaderOnly_NoNodes()
    {
        var error = await SingleErrorAsync(NetworkDefinitionParser.Header);

        error.Line.ShouldBe(0);
        error.Message.ShouldStartWith("The network has no nodes");
    }

    [Fact]
    public async Task ParseCsv_TransformerWithoutParent_RefusedAsASecondRoot()
    {
        var error = await SingleErrorAsync(NetworkCsvWith((4, "T2,,transformer,,,")));

        error.Message.ShouldBe("line 4: transformer \"T2\" has no parent; only the community node is the root.");
    }

    [Fact]
    public async Task ParseCsv_CommunityWithAParent_Refused()
    {
        var error = await SingleErrorAsync(NetworkCsvWith((2, "ROOT,T1,community,,,")));

        error.Message.ShouldBe("line 2: the community node \"ROOT\" is the root: it has no parent (parent_id \"T1\" given).");
    }

    [Fact]
    public async Task ParseCsv_CommunityWithACapacity_Refused()
    {
        var error = await SingleErrorAsync(NetworkCsvWith((2, "ROOT,,community,5000,,")));

        error.Message.ShouldBe("line 2: the community node \"ROOT\" has no capacities: leave export_capacity_w and import_capacity_w empty.");
    }

    [Fact]
    public async Task ParseCsv_CommunityWithZeroCapacities_AcceptedAsNone()
    {
        var result = await ParseCsvAsync(NetworkCsvWith((2, "ROOT,,community,0,0,")));

        result.Errors.ShouldBeEmpty();
        result.Network!.Root.ExportCapacityW.ShouldBeNull();
    }

    [Fact]
    public async Task ParseCsv_NegativeCapacity_Refused()
    {
        var error = await SingleErrorAsync(NetworkCsvWith((8, "C1,F1,connection,-5000,12000,M-1")));

        error.Message.ShouldBe("line 8: export_capacity_w -5000 is negative; a capacity is 0 or more watts (empty for no limit).");
    }

    [Theory]
    [InlineData("12.5", "line 8: import_capacity_w \"12.5\" is not a whole number of watts (leave it empty for no limit).")]
    [InlineData("5 kW", "line 8: import_capacity_w \"5 kW\" is not a whole number of watts (leave it empty for no limit).")]
    [InlineData("100000000001", "line 8: import_capacity_w 100000000001 W is beyond 100000000000 W.")]
    public async Task ParseCsv_CapacityNotWholeWattsOrTooLarge_Refused(string capacity, string message)
    {
        var error = await SingleErrorAsync(NetworkCsvWith((8, $"C1,F1,connection,5000,{capacity},M-1")));

        error.Message.ShouldBe(message);
    }

    [Fact]
    public async Task ParseCsv_ZeroCapacity_AcceptedAsZero()
    {
        var result = await ParseCsvAsync(NetworkCsvWith((8, "C1,F1,connection,0,12000,M-1")));

        result.Network!.Nodes[6].ExportCapacityW.ShouldBe(0);
    }

    [Fact]
    public async Task ParseCsv_UnknownKind_Refused()
    {
        var error = await SingleErrorAsync(NetworkCsvWith((13, "S1,ROOT,substation,,,")));

        error.Message.ShouldBe("line 13: kind \"substation\" is not one of community, transformer, feeder, connection.");
    }

    [Theory]
    [InlineData("F4,ROOT,feeder,,,", "line 13: feeder \"F4\" must hang from a transformer, but its parent \"ROOT\" is the community node.")]
    [InlineData("C6,T1,connection,,,M-6", "line 13: connection \"C6\" must hang from a feeder, but its parent \"T1\" is a transformer.")]
    [InlineData("T3,F1,transformer,,,", "line 13: transformer \"T3\" must hang from the community node, but its parent \"F1\" is a feeder.")]
    [InlineData("F4,C1,feeder,,,", "line 13: feeder \"F4\" must hang from a transformer, but its parent \"C1\" is a connection (a connection is a leaf: nothing hangs below it).")]
    [InlineData("C6,C1,connection,,,M-6", "line 13: connection \"C6\" must hang from a feeder, but its parent \"C1\" is a connection (a connection is a leaf: nothing hangs below it).")]
    public async Task ParseCsv_WrongNesting_RefusedNamingBothNodes(string line, string message)
    {
        var error = await SingleErrorAsync(NetworkCsvWith((13, line)));

        error.Message.ShouldBe(message);
    }

    [Fact]
    public async Task ParseCsv_ConnectionWithoutMeter_Refused()
    {
        var error = await SingleErrorAsync(NetworkCsvWith((8, "C1,F1,connection,5000,12000,")));

        error.Message.ShouldBe("line 8: connection \"C1\" has no meter_id; a connection names its household's meter.");
    }

    [Fact]
    public async Task ParseCsv_FeederWithAMeter_Refused()
    {
        var error = await SingleErrorAsync(NetworkCsvWith((5, "F1,T1,feeder,100000,120000,M-9")));

        error.Message.ShouldBe("line 5: feeder \"F1\" has meter_id \"M-9\"; only connections name a meter.");
    }

    [Fact]
    public async Task ParseCsv_MeterIdUsedTwice_SecondNamedWithTheFirstConnection()
    {
        var error = await SingleErrorAsync(NetworkCsvWith((13, "C6,F2,connection,,,M-2")));

        error.Message.ShouldBe("line 13: meter id \"M-2\" of connection \"C6\" is already the meter of connection \"C2\" (line 9).");
    }

    [Fact]
    public async Task ParseCsv_MeterIdOf65Bytes_Refused()
    {
        var meter = new string('é', 33); // 66 UTF-8 bytes

        var error = await SingleErrorAsync(NetworkCsvWith((13, $"C6,F2,connection,,,{meter}")));

        error.Message.ShouldStartWith("line 13: meter_id \"");
        error.Message.ShouldEndWith("\" is longer than 64 bytes.");
    }

    [Theory]
    [InlineData("C 6")]
    [InlineData("C/6")]
    [InlineData("Ç6")]
    public async Task ParseCsv_NodeIdWithCharactersOutsideTheSet_Refused(string id)
    {
        var error = await SingleErrorAsync(NetworkCsvWith((13, $"{id},F2,connection,,,M-6")));

        error.Message.ShouldBe($"line 13: node_id \"{id}\" must be 1 to 64 characters of A-Z, a-z, 0-9, '.', '_' and '-'.");
    }

    [Fact]
    public async Task ParseCsv_NodeIdOf64And65Characters_OnlyTheLongerRefused()
    {
        var ok = new string('a', 64);
        var tooLong = new string('b', 65);

        var result = await ParseCsvAsync(NetworkCsvWith((13, $"{ok},F2,connection,,,M-6"), (14, $"{tooLong},F2,connection,,,M-7")));

        result.Errors.ShouldHaveSingleItem().Line.ShouldBe(14);
    }

    [Fact]
    public async Task ParseCsv_MisspeltParentId_OnlyTheMisspeltNodeReported()
    {
        // "F 2" is refused as an id, but the lines under it still find it: one error, not one per child.
        var result = await ParseCsvAsync(NetworkCsvWith((6, "F 2,T1,feeder,,,"), (10, "C3,F 2,connection,,,M-3")));

        result.Errors.ShouldHaveSingleItem().Line.ShouldBe(6);
    }

    [Fact]
    public async Task ParseCsv_WrongFieldCount_Refused()
    {
        var error = await SingleErrorAsync(NetworkCsvWith((13, "C6,F2,connection,,M-6")));

        error.Message.ShouldBe($"line 13: expected 6 fields ({NetworkDefinitionParser.Header}), found 5.");
    }

    [Fact]
    public async Task ParseCsv_WrongHeader_Refused()
    {
        var error = await SingleErrorAsync("id,parent,kind\nROOT,,community");

        error.Message.ShouldBe($"line 1: the first line must be the header \"{NetworkDefinitionParser.Header}\".");
    }

    [Fact]
    public async Task ParseCsv_EmptyFile_Refused()
    {
        var error = await SingleErrorAsync("");

        error.Line.ShouldBe(1);
        error.Message.ShouldStartWith("line 1: the file is empty");
    }

    [Fact]
    public async Task ParseCsv_SeveralProblems_EveryOneReportedInLineOrderAndNoNetwork()
    {
        var csv = NetworkCsvWith(
            (4, "T2,ROOT,transformer,-1,,"),
            (11, "C4,F9,connection,7000,,M-4"),
            (12, "C5,F3,connection,,,M-1"));

        var result = await ParseCsvAsync(csv);

        result.Network.ShouldBeNull();
        result.Succeeded.ShouldBeFalse();
        result.Errors.Select(e => e.Line).ShouldBe([4, 11, 12]);
    }

    [Fact]
    public async Task ParseCsv_100000Nodes_Accepted()
    {
        var csv = LargeCsv(NetworkDefinition.MaxNodes);

        var result = await ParseCsvAsync(csv);

        result.Errors.ShouldBeEmpty();
        result.Network!.Count.ShouldBe(100_000);
    }

    [Fact]
    public async Task ParseCsv_100001Nodes_OneErrorForTheNetwork()
    {
        var csv = LargeCsv(NetworkDefinition.MaxNodes + 1);

        var error = await SingleErrorAsync(csv);

        error.Line.ShouldBe(0);
        error.Message.ShouldBe("The network has more than 100,000 nodes; split the community or ask for a higher limit.");
    }

    [Fact]
    public void Check_JsonOfTheSampleNetwork_SameNodesAsTheCsv()
    {
        const string json = """
            {"nodes":[
              {"id":"ROOT","kind":"community"},
              {"id":"T1","parent":"ROOT","kind":"transformer","exportCapacityW":400000,"importCapacityW":400000},
              {"id":"T2","parent":"ROOT","kind":"transformer"},
              {"id":"F1","parent":"T1","kind":"feeder","exportCapacityW":100000,"importCapacityW":120000},
              {"id":"F2","parent":"T1","kind":"feeder"},
              {"id":"F3","parent":"T2","kind":"feeder","exportCapacityW":null},
              {"id":"C1","parent":"F1","kind":"connection","exportCapacityW":5000,"importCapacityW":12000,"meterId":"M-1"},
              {"id":"C2","parent":"F1","kind":"connection","exportCapacityW":1001,"importCapacityW":12000,"meterId":"M-2"},
              {"id":"C3","parent":"F2","kind":"connection","meterId":"M-3"},
              {"id":"C4","parent":"F3","kind":"connection","exportCapacityW":7000,"meterId":"M-4"},
              {"id":"C5","parent":"F3","kind":"connection","meterId":"M-5"}
            ]}
            """;
        var upload = JsonSerializer.Deserialize<NetworkUpload>(json, ApiInput.Json)!;

        var result = NetworkDefinitionParser.Check(upload);

        result.Errors.ShouldBeEmpty();
        result.Network!.Nodes.ToList().ShouldBe(Network().Nodes.ToList());
    }

    [Fact]
    public void Check_JsonWithAnOrphan_ItemNumberedFromOne()
    {
        var upload = new NetworkUpload(
        [
            new("ROOT", null, "community", null, null, null),
            new("T1", "ROOT", "transformer", null, null, null),
            new("F1", "T9", "feeder", null, -3, null),
        ]);

        var result = NetworkDefinitionParser.Check(upload);

        result.Errors.Select(e => e.Message).ShouldBe(
        [
            "item 3: importCapacityW -3 is negative; a capacity is 0 or more watts (empty for no limit).",
            "item 3: parent \"T9\" is not a node of the network (node \"F1\").",
        ]);
    }

    [Fact]
    public void Check_JsonNullItem_Refused()
    {
        var upload = new NetworkUpload([new("ROOT", null, "community", null, null, null), null]);

        var result = NetworkDefinitionParser.Check(upload);

        result.Errors.ShouldHaveSingleItem().Message.ShouldBe("item 2: not an object.");
    }

    [Fact]
    public void Check_JsonWithoutNodes_OneErrorAtItemZero()
    {
        var result = NetworkDefinitionParser.Check(new NetworkUpload(null));

        result.Errors.ShouldHaveSingleItem().ShouldBe(new NetworkError(0, "The body must be an object with a \"nodes\" array."));
    }

    [Fact]
    public void Check_JsonWithMoreThan100000Nodes_OneErrorAtItemZero()
    {
        var upload = new NetworkUpload(new NetworkUploadNode?[NetworkDefinition.MaxNodes + 1]);

        var result = NetworkDefinitionParser.Check(upload);

        result.Errors.ShouldHaveSingleItem().Line.ShouldBe(0);
    }

    [Fact]
    public void FromNodes_NodesOfAParsedNetwork_SameNetwork()
    {
        var network = Network();

        var again = NetworkDefinitionParser.FromNodes(network.Nodes);

        again.Network!.Nodes.ToList().ShouldBe(network.Nodes.ToList());
    }

    [Fact]
    public void FromNodes_UndefinedKind_Refused()
    {
        var nodes = Network().Nodes.SetItem(5, new NetworkNodeDefinition("F3", "T2", (NetworkNodeKind)9, null, null, null));

        var result = NetworkDefinitionParser.FromNodes(nodes);

        result.Errors.ShouldHaveSingleItem().Message.ShouldBe("node 6: Kind \"9\" is not one of community, transformer, feeder, connection.");
    }

    private static string LargeCsv(int nodes)
    {
        var csv = new StringBuilder(NetworkDefinitionParser.Header).Append("\nROOT,,community,,,\nT0,ROOT,transformer,,,\n");
        for (var f = 0; f < 1_000; f++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"F{f},T0,feeder,,,\n");
        }

        for (var c = 0; c < nodes - 1_002; c++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"C{c},F{c % 1_000},connection,5000,5000,M{c}\n");
        }

        return csv.ToString();
    }
}
