public class B { public static void Main() {} }
